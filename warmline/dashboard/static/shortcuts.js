// Keyboard shortcuts: Alt+Shift+A accepts the offer, Alt+Shift+E ends the contact after
// asking. Keys pressed while typing (a reply, a list, any text box) are left alone.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const { _ } = window.words;
  let confirmed = null;

  function typing(target) {
    return target instanceof HTMLElement
      && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
  }

  function say(message) {
    $("notice").textContent = message;
  }

  // A caller's offer or a texter's: never both at once.
  function acceptOffer() {
    if (!$("offer").hidden) {
      $("offer-accept").click();
    } else if (!$("text-offer").hidden) {
      $("text-offer-accept").click();
    } else {
      say(_("No offer to accept right now."));
    }
  }

  // The contact Alt+Shift+E ends: the call if on one, else the only open text conversation.
  // Each is named by a selector: the list is redrawn on every update, buttons and all.
  function contactToEnd() {
    const call = document.querySelector("#mine-list .end-call");
    if (call) {
      return { control: call, button: ".end-call", heading: `${call.textContent}?`, detail: _("The caller is hung up.") };
    }
    const texts = document.querySelectorAll("#mine-list .close-chat");
    if (texts.length === 1) {
      // A flagged conversation's own Close asks first, and says the crisis numbers go out.
      if (texts[0].closest("li").querySelector(".tier")) return { control: texts[0], asksItself: true };
      return {
        control: texts[0],
        button: ".close-chat",
        heading: _("Close the text conversation?"),
        detail: _("The texter can still write again; a new conversation then starts."),
      };
    }
    return { problem: texts.length > 1
      ? _("Several text conversations are open: use the Close button of the one to end.")
      : _("No call or text conversation to end.") };
  }

  function askToEnd() {
    const ending = contactToEnd();
    if (ending.problem) return say(ending.problem);
    if (ending.control.disabled) return say(ending.control.title || _("This contact cannot end yet."));
    if (ending.asksItself) return ending.control.click();
    const contactId = ending.control.closest("li").dataset.contactId;
    confirmed = `#mine-list li[data-contact-id="${contactId}"] ${ending.button}`;
    $("end-confirm-heading").textContent = ending.heading;
    $("end-confirm-detail").textContent = ending.detail;
    $("end-confirm").showModal();
    $("end-cancel").focus();
  }

  function closeEnd(end) {
    const control = confirmed && document.querySelector(confirmed);
    confirmed = null;
    $("end-confirm").close();
    if (end && control && !control.disabled) control.click();
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("end-go").addEventListener("click", () => closeEnd(true));
    $("end-cancel").addEventListener("click", () => closeEnd(false));
    $("end-confirm").addEventListener("cancel", (event) => {
      event.preventDefault();
      closeEnd(false);
    });
  });

  document.addEventListener("keydown", (event) => {
    if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) return;
    if (typing(event.target) || document.querySelector("dialog[open]")) return;
    if (event.code === "KeyA") {
      event.preventDefault();
      acceptOffer();
    } else if (event.code === "KeyE") {
      event.preventDefault();
      askToEnd();
    }
  });
})();
