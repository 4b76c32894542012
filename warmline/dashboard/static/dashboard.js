// The shift dashboard: renders what /api says, refreshes on live events (or by polling).
// Everything from the server is written with textContent, never parsed as HTML.
"use strict";

(() => {
  const POLL_MS = 5000;
  // A crisis contact nobody has taken sounds again this often.
  const ALARM_REPEAT_MS = 30000;
  const SAFETY_POLL_MS = 20000;
  const TITLE = document.title;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const { _, ngettext } = window.words;

  const TIERS = { 1: _("Crisis risk"), 2: _("Crisis: imminent") };
  const LANGUAGES = { en: _("English"), es: _("Spanish") };
  // The languages a texter may write in that no line speaks (warmline.crisis.language).
  const UNSPOKEN = {
    zh: _("Chinese"), tl: _("Tagalog"), vi: _("Vietnamese"), ar: _("Arabic"), fr: _("French"),
    ko: _("Korean"), ru: _("Russian"), ht: _("Haitian Creole"), pt: _("Portuguese"),
  };
  const CHANNELS = { voice: _("Call"), sms: _("Text") };
  const STATUSES = {
    available: _("Available"),
    offered: _("Being offered a caller"),
    text_offered: _("Being offered a texter"),
    break: _("On break"),
    wrap_up: _("Wrap-up"),
    recovery: _("Recovery break"),
    on_call: _("In a conversation"),
    texting: _("Texting"),
    offline: _("Off shift"),
  };
  const BUSY = new Set(["on_call", "texting"]);
  const REASONS = {
    missed_offer: _("you missed an offer"),
    missed_text_offer: _("a text offer to you ran out unanswered"),
    no_phone: _("you have no phone number set"),
    phone_unreachable: _("your phone could not be reached"),
    rest: _("rest"),
    meal: _("meal"),
    debrief: _("debrief"),
    technical: _("technical trouble"),
    other: _("other"),
  };

  let shift = { on_shift: false, status: "offline" };
  let queue = { waiting: [], mine: [] };
  let fetchedAt = Date.now();
  let events = null;
  let pollTimer = null;
  let lastOfferId = null;
  let lastTextOfferId = null;
  // The text offer this page let pass: its going away is no news to the specialist.
  let passedTextOffer = null;
  let audio = null;
  let refreshing = null;
  let refreshAgain = false;
  // Crisis contacts waiting, each with the tier it has sounded for; a new alert sounds again.
  const alerted = new Map();
  let alarmDue = false;
  let alarmTimer = null;

  // Talking to the API.

  async function api(method, path, body) {
    const options = {
      method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRF-Token": csrf },
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(path, options);
    if (response.status === 401) {
      window.location.assign("/sign-in");
      throw new Error(_("Please sign in again."));
    }
    const data = response.status === 204 ? {} : await response.json();
    if (!response.ok) {
      throw new Error(data.error || _("Something went wrong; try again."));
    }
    return data;
  }

  function notify(message) {
    $("notice").textContent = message;
  }

  async function act(method, path, body) {
    try {
      const result = await api(method, path, body);
      notify("");
      await refresh();
      return result;
    } catch (error) {
      notify(error.message);
      await refresh();
      return null;
    }
  }

  // Small helpers for building the page.

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function button(text, onClick, className) {
    const node = element("button", text, className);
    node.type = "button";
    node.addEventListener("click", onClick);
    return node;
  }

  function duration(seconds) {
    if (seconds < 60) return `${seconds} s`;
    const minutes = Math.floor(seconds / 60);
    return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  }

  // A time counted to the second: 0:07, 1:05, 1:02:03.
  function clockTime(seconds) {
    const minutes = Math.floor(seconds / 60);
    const rest = String(seconds % 60).padStart(2, "0");
    if (minutes < 60) return `${minutes}:${rest}`;
    return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}:${rest}`;
  }

  // A time that goes on counting each second (see tick) from what the server last said.
  function ticking(tag, prefix, seconds, { toTheSecond = false, className = "waited" } = {}) {
    const node = element(tag, "", className);
    node.dataset.prefix = prefix;
    node.dataset.seconds = String(seconds);
    if (toTheSecond) node.dataset.clock = "seconds";
    return node;
  }

  function secondsSinceFetch() {
    return Math.floor((Date.now() - fetchedAt) / 1000);
  }

  function elapsed(contact) {
    return contact.waiting_seconds + secondsSinceFetch();
  }

  function describe(contact) {
    const parts = [
      CHANNELS[contact.channel] || contact.channel,
      LANGUAGES[contact.language] || contact.language,
    ];
    if (contact.practice) {
      parts.push(_("practice call: your trainer is the caller"));
    }
    if (contact.contacts_this_month !== null) {
      const times = contact.contacts_this_month;
      parts.push(ngettext("first contact this month", "{count} contacts this month", times));
    }
    if (contact.flagged_hours_ago !== null && contact.flagged_hours_ago !== undefined) {
      const hours = contact.flagged_hours_ago;
      const ago = hours < 1 ? _("less than an hour ago") : ngettext("{count} hour ago", "{count} hours ago", hours);
      parts.push(_("flagged: crisis signs in a contact {ago}", { ago }));
    }
    if (contact.callback) {
      parts.push(_("asked to be called back: the line calls them when you take this"));
    }
    if (contact.unspoken_language) {
      const language = UNSPOKEN[contact.unspoken_language] || contact.unspoken_language;
      parts.push(_("language not spoken on this line: {language}", { language }));
    }
    return parts.join(" · ");
  }

  function badges(contact) {
    const span = element("span", undefined, "badges");
    if (contact.crisis_tier > 0) {
      span.append(element("span", TIERS[contact.crisis_tier], `tier tier-${contact.crisis_tier}`));
    }
    return span;
  }

  // The shift panel.

  async function loadLines() {
    const { lines } = await api("GET", "/api/lines");
    const select = $("line-choice");
    select.replaceChildren(...lines.map((line) => {
      const option = element("option", line.name);
      option.value = String(line.id);
      return option;
    }));
    $("no-lines").hidden = lines.length > 0;
    $("start-shift").disabled = lines.length === 0;
  }

  // What the line holds the specialist as now, from the server's answer alone.
  function currentState() {
    if (!shift.on_shift) return "offline";
    if (shift.offer_contact_id !== null) return "offered";
    return textOfferId() !== null ? "text_offered" : shift.status;
  }

  function textOfferId() {
    return shift.on_shift && shift.text_offer_contact_id != null ? shift.text_offer_contact_id : null;
  }

  function beingOffered() {
    return shift.on_shift && (shift.offer_contact_id !== null || textOfferId() !== null);
  }

  function typing(target) {
    return target instanceof HTMLElement
      && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
  }

  function wrapUpLeft() {
    return Math.max(0, shift.wrap_up_seconds_left - secondsSinceFetch());
  }

  function recoveryLeft() {
    return Math.max(0, shift.recovery_seconds_left - secondsSinceFetch());
  }

  function renderBadge() {
    const state = currentState();
    const badge = $("status-badge");
    badge.dataset.status = state;
    const name = STATUSES[state] || state;
    const left = { wrap_up: wrapUpLeft, recovery: recoveryLeft }[state];
    badge.textContent = left ? `${name} · ${clockTime(left())} left` : name;
  }

  function renderShift() {
    const status = currentState();
    renderBadge();
    $("shift-off").hidden = shift.on_shift;
    $("shift-on").hidden = !shift.on_shift;
    if (!shift.on_shift) return;
    $("shift-line").textContent = shift.line.name;
    let text = STATUSES[status] || status;
    if (status === "break" && shift.reason) text += ` (${REASONS[shift.reason] || shift.reason})`;
    if (shift.ending) text += ` — ${_("your shift ends after this contact")}`;
    $("shift-status").textContent = text;
    const busy = BUSY.has(status) || beingOffered() || queue.mine.some((c) => c.state === "live");
    $("go-available").disabled = busy || status === "available";
    $("go-break").disabled = busy || status === "break";
    renderRecovery();
    renderCountdown();
  }

  // The recovery break: after a hard contact, nothing is offered until it ends by itself.
  function renderRecovery() {
    const panel = $("recovery");
    const on = shift.on_shift && shift.status === "recovery";
    panel.hidden = !on;
    if (!on) return;
    const minutes = Math.max(1, Math.round(shift.recovery_seconds_left / 60));
    $("recovery-heading").textContent = _("Recovery break — {minutes} min", { minutes });
  }

  function renderRecoveryCountdown() {
    if (!shift.on_shift || shift.status !== "recovery") return;
    const left = recoveryLeft();
    $("recovery-countdown").textContent = _("Offers start again in {time}", { time: clockTime(left) });
    // Only the server says the break is over: ask it once the time is up.
    if (left === 0 && !refreshing) refresh();
  }

  function renderCountdown() {
    renderRecoveryCountdown();
    const node = $("wrap-up-countdown");
    if (!shift.on_shift || shift.status !== "wrap_up") {
      node.textContent = "";
      return;
    }
    const left = wrapUpLeft();
    // A hard contact's wrap-up is followed by a recovery break, not by the next offer.
    node.textContent = shift.recovery_seconds_left > 0
      ? _("— then a recovery break, in {time}", { time: duration(left) })
      : _("— offers resume in {time}", { time: duration(left) });
    // Only the server says the wrap-up is over: ask it once the time is up.
    if (left === 0 && !refreshing) refresh();
  }

  // The offer.

  function renderTitle() {
    const offer = beingOffered() ? `${_("(1) Offer")} — ` : "";
    const crisis = crisisWaiting().length > 0 ? `${_("(!) Crisis")} — ` : "";
    document.title = `${crisis}${offer}${TITLE}`;
  }

  function renderOffer() {
    const offerId = shift.on_shift ? shift.offer_contact_id : null;
    const panel = $("offer");
    panel.hidden = offerId === null;
    if (offerId !== null) {
      const contact = queue.waiting.find((c) => c.id === offerId);
      const detail = $("offer-detail");
      detail.replaceChildren();
      if (contact) {
        detail.textContent = `${describe(contact)} · `;
        detail.append(ticking("span", _("waiting"), contact.waiting_seconds, { toTheSecond: true }));
      }
      if (offerId !== lastOfferId) {
        window.warmlineAlerts.announce("offer", contact ? describe(contact) : "");
        $("offer-accept").focus();
      }
    }
    lastOfferId = offerId;
  }

  // A texter offered on screen: accept, or let it pass to the next specialist.
  function renderTextOffer() {
    const offerId = textOfferId();
    $("text-offer").hidden = offerId === null;
    if (offerId !== null) {
      const contact = queue.waiting.find((c) => c.id === offerId);
      const detail = $("text-offer-detail");
      detail.replaceChildren();
      if (contact) {
        detail.append(badges(contact), `${describe(contact)} · `);
        detail.append(ticking("span", _("waiting"), contact.waiting_seconds, { toTheSecond: true }));
      }
      if (offerId !== lastTextOfferId) {
        const tier = contact && contact.crisis_tier > 0 ? `${TIERS[contact.crisis_tier]} · ` : "";
        window.warmlineAlerts.announce("text_offer", contact ? `${tier}${describe(contact)}` : "");
        // Never while they type a reply: a key meant for the chat would accept the offer.
        if (!typing(document.activeElement)) $("text-offer-accept").focus();
      }
    } else if (lastTextOfferId !== null) {
      textOfferGone(lastTextOfferId);
    }
    lastTextOfferId = offerId;
  }

  // Say why a text offer went away that this page neither accepted nor let pass.
  function textOfferGone(contactId) {
    if (passedTextOffer === contactId || queue.mine.some((c) => c.id === contactId)) return;
    const waiting = queue.waiting.some((c) => c.id === contactId);
    notify(waiting
      ? _("The text offered to you was not answered in time: it goes to the next specialist.")
      : _("Someone else took the text offered to you."));
  }

  // The crisis alert: every specialist on shift, until someone takes the contact.

  function crisisWaiting() {
    return shift.on_shift ? queue.waiting.filter((c) => c.crisis_tier > 0) : [];
  }

  function alarm() {
    if (!audio && window.AudioContext) audio = new AudioContext();
    if (!audio) return;
    if (audio.state === "suspended") audio.resume();
    const now = audio.currentTime;
    [0, 0.3, 0.6].forEach((at) => {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.type = "square";
      tone.frequency.value = 988;
      gain.gain.setValueAtTime(0.3, now + at);
      gain.gain.exponentialRampToValueAtTime(0.001, now + at + 0.25);
      tone.connect(gain).connect(audio.destination);
      tone.start(now + at);
      tone.stop(now + at + 0.25);
    });
  }

  function notifyInBackground(contact) {
    // Only what the dashboard shows anyway: never the texter's words.
    if (!document.hidden || !("Notification" in window) || Notification.permission !== "granted") return;
    new Notification(_("(!) Crisis — someone is waiting"), {
      body: `${TIERS[contact.crisis_tier]} · ${describe(contact)}. ${_("Open the dashboard to take it.")}`,
      tag: "warmline-crisis",
      requireInteraction: true,
    });
  }

  function renderCrisis() {
    const waiting = crisisWaiting();
    for (const id of alerted.keys()) if (!waiting.some((c) => c.id === id)) alerted.delete(id);
    $("crisis-alert").hidden = waiting.length === 0;
    if (waiting.length === 0) {
      window.clearInterval(alarmTimer);
      alarmTimer = null;
      alarmDue = false;
      return;
    }
    const first = waiting.reduce((worst, c) => (c.crisis_tier > worst.crisis_tier ? c : worst));
    const detail = $("crisis-alert-detail");
    detail.textContent = `${TIERS[first.crisis_tier]} · ${describe(first)} · `;
    detail.append(ticking("span", _("waiting"), first.waiting_seconds));
    const take = $("crisis-accept");
    take.hidden = !first.takeable;
    take.dataset.contactId = String(first.id);
    showWhyNotTaking($("crisis-why"), !first.takeable, true);
    const fresh = waiting.filter((c) => (alerted.get(c.id) || 0) < c.crisis_tier);
    fresh.forEach((c) => alerted.set(c.id, c.crisis_tier));
    if (fresh.length > 0 || alarmDue) {
      alarm();
      notifyInBackground(first);
    }
    alarmDue = false;
    if (!alarmTimer) alarmTimer = window.setInterval(alarm, ALARM_REPEAT_MS);
  }

  // Lists of contacts.

  function renderQueue() {
    const list = $("queue-list");
    list.replaceChildren(...queue.waiting.map((contact) => {
      const item = element("li", undefined, "contact");
      item.dataset.contactId = String(contact.id);
      const heading = element("p", describe(contact), "what");
      heading.prepend(badges(contact));
      const offered = contact.state === "ringing" || contact.state === "offered";
      const prefix = offered ? _("Being offered") : _("Waiting");
      // An offer is counted by the second, as its panel counts it; a wait in line by the minute.
      const waited = ticking("p", prefix, contact.waiting_seconds, { toTheSecond: offered });
      item.append(heading, waited);
      // The server says which the line would give this specialist now (free, wrap-up over,
      // their language, room for one more text); no other gets a button.
      if (contact.takeable) {
        const label = _("Accept {channel} waiting {time}", {
          channel: CHANNELS[contact.channel] || "",
          time: duration(elapsed(contact)),
        });
        const accept = button(_("Accept"), () => act("POST", `/api/contacts/${contact.id}/accept`), "primary");
        accept.setAttribute("aria-label", label.replace(/\s+/g, " "));
        item.append(accept);
      }
      return item;
    }));
    $("queue-count").textContent = String(queue.waiting.length);
    $("queue-empty").hidden = queue.waiting.length > 0;
    renderQueueHint();
  }

  const NOT_TAKING = {
    wrap_up: _("You can take someone once your wrap-up ends, or press Available to end it now."),
    break: _("You are on break: press Available to take someone."),
    recovery: _("You are on a recovery break: nothing is offered to you until it ends. Press I'm ready to take someone now."),
  };

  // A recovery break is never interrupted by the line: a crisis contact waiting meanwhile is
  // the specialist's own choice to take, said plainly (README, "Recovery breaks").
  const NOT_TAKING_CRISIS = {
    recovery: _("You are on a recovery break, so the line does not offer them to you. If you feel ready to take them, press I'm ready."),
  };

  // Why no Accept button is shown, when it is the specialist's own state that holds it back.
  function showWhyNotTaking(node, held, crisis = false) {
    const why = (crisis && NOT_TAKING_CRISIS[currentState()]) || NOT_TAKING[currentState()];
    const shown = held && why !== undefined;
    node.hidden = !shown;
    node.textContent = shown ? why : "";
  }

  function renderQueueHint() {
    const held = queue.waiting.length > 0 && !queue.waiting.some((c) => c.takeable);
    showWhyNotTaking($("queue-why"), held);
  }

  // A labelled checkbox; left without a value, the browser submits it as "on".
  function checkbox(id, name, text, value) {
    const box = element("input");
    box.type = "checkbox";
    box.id = id;
    box.name = name;
    if (value !== undefined) box.value = value;
    const label = element("label", text);
    label.htmlFor = id;
    const row = element("div", undefined, "check");
    row.append(box, label);
    return row;
  }

  function wrapUpForm(contact) {
    const form = element("form", undefined, "wrap-up stack");
    const topics = element("fieldset");
    topics.append(element("legend", _("Topics")));
    const offered = shift.on_shift ? shift.line.wrap_up_topics : [];
    offered.forEach((topic, index) => {
      topics.append(checkbox(`topic-${contact.id}-${index}`, "topic", topic, topic));
    });
    form.append(topics);
    for (const [name, text] of [
      ["crisis_referral_offered", _("Crisis referral offered")],
      ["follow_up_needed", _("Follow-up needed")],
    ]) {
      form.append(checkbox(`${name}-${contact.id}`, name, text));
    }
    preTickReferral(form.elements.crisis_referral_offered, contact);
    const save = element("button", _("Save wrap-up"), "primary");
    save.type = "submit";
    form.append(save);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const chosen = [...form.querySelectorAll('input[name="topic"]:checked')].map((b) => b.value);
      act("POST", `/api/contacts/${contact.id}/wrap-up`, {
        topics: chosen,
        crisis_referral_offered: form.elements.crisis_referral_offered.checked,
        follow_up_needed: form.elements.follow_up_needed.checked,
      });
    });
    return form;
  }

  // A warm handoff's counselor leg. "Answered" may be the crisis line's menu: only the
  // specialist can tell a person is there, and says so with the button.
  const CRISIS_LEG = {
    dialing: _("Calling the crisis line… stay on until the counselor joins."),
    ringing: _("The crisis line is ringing… stay on until the counselor joins."),
    answered: _("The crisis line answered, but a person may not be there yet. Stay on; press " +
      "\"The counselor is on the line\" once you hear one."),
    joined: _("The crisis counselor has joined. You may leave the call."),
    unreached: _("The crisis line did not answer. Stay with the caller; give them 988 and 911."),
    left: _("The crisis counselor has left the call."),
  };
  const HANDOFF_WAITING = new Set(["dialing", "ringing", "answered"]);
  // Contacts whose pre-ticked "crisis referral offered" the specialist unticked: a redraw
  // must not tick it again.
  const referralUnticked = new Set();

  function preTickReferral(box, contact) {
    // A transfer to the crisis line is a crisis referral: say so, unless told otherwise.
    box.checked = contact.crisis_referred && !referralUnticked.has(contact.id);
    box.addEventListener("change", () => {
      if (contact.crisis_referred && !box.checked) referralUnticked.add(contact.id);
      else referralUnticked.delete(contact.id);
    });
  }

  // Dialling the crisis line is asked once more, in the page: an accidental click must not
  // ring 988 into a caller's call. Cancel has the focus, so Enter or Escape dials nobody.
  let transferring = null;

  function askTransfer(contactId) {
    transferring = contactId;
    $("transfer-confirm").showModal();
    $("transfer-cancel").focus();
  }

  function transferButton(contactId) {
    return document.querySelector(`#mine-list li[data-contact-id="${contactId}"] .transfer`);
  }

  function closeTransfer(dial) {
    const contactId = transferring;
    transferring = null;
    $("transfer-confirm").close();
    if (contactId === null) return;
    if (dial) {
      act("POST", `/api/contacts/${contactId}/transfer`);
      return;
    }
    const again = transferButton(contactId);
    if (again) again.focus();
  }

  // Text conversations. A chat panel is built once per conversation and kept across
  // refreshes, so a half-written reply survives live updates.

  const GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  const GSM_EXTENDED = "^{}\\[~]|€\f";
  const chats = new Map();

  function smsSegments(text) {
    // GSM-7 fits 160 septets in one SMS, 153 per part when split, the extension table costing
    // two; anything else is UCS-2: 70 UTF-16 units, 67 per part. Twilio never splits an
    // escape pair or a surrogate pair across two parts.
    const characters = Array.from(text);
    const gsm = characters.every((c) => GSM_BASIC.includes(c) || GSM_EXTENDED.includes(c));
    const sizes = characters.map((c) => (gsm ? (GSM_EXTENDED.includes(c) ? 2 : 1) : c.length));
    const [single, part] = gsm ? [160, 153] : [70, 67];
    const units = sizes.reduce((sum, size) => sum + size, 0);
    if (units === 0) return 0;
    if (units <= single) return 1;
    let segments = 1;
    let used = 0;
    for (const size of sizes) {
      if (used + size > part) {
        segments += 1;
        used = 0;
      }
      used += size;
    }
    return segments;
  }

  function countSegments(chat) {
    const text = chat.reply.value;
    const segments = smsSegments(text);
    chat.counter.textContent = ngettext(
      "{length} / 1600 characters · {count} SMS segment",
      "{length} / 1600 characters · {count} SMS segments",
      segments,
      { length: text.length },
    );
  }

  const SENDERS = { specialist: _("You"), texter: _("Texter"), line: _("The line (automatic)") };

  function clock(iso) {
    return new Date(iso).toLocaleTimeString(window.words.language, { hour: "2-digit", minute: "2-digit" });
  }

  function buildChat(contact) {
    const chat = { id: contact.id, script: "" };
    chat.root = element("div", undefined, "chat");
    // A log, not a list: role="log" on an <ol> would leave its items outside any list.
    chat.log = element("div", undefined, "messages");
    chat.log.setAttribute("role", "log");
    chat.log.setAttribute("aria-label", _("Conversation"));
    chat.log.tabIndex = 0;
    const form = element("form", undefined, "stack");
    const label = element("label", _("Reply"));
    label.htmlFor = `reply-${contact.id}`;
    chat.reply = element("textarea");
    chat.reply.id = `reply-${contact.id}`;
    chat.reply.maxLength = 1600;
    chat.reply.rows = 3;
    chat.counter = element("p", "", "hint");
    chat.counter.id = `segments-${contact.id}`;
    chat.counter.setAttribute("aria-live", "polite");
    chat.reply.setAttribute("aria-describedby", chat.counter.id);
    chat.reply.addEventListener("input", () => countSegments(chat));
    const send = element("button", _("Send"), "primary");
    send.type = "submit";
    const insert = chat.insert = button(_("Insert referral script"), () => {
      const before = chat.reply.value.trim();
      chat.reply.value = before ? `${before} ${chat.script}` : chat.script;
      countSegments(chat);
      chat.reply.focus();
    });
    const closing = button(_("Close conversation"), () => closeChat(chat), "danger close-chat");
    closing.setAttribute("aria-keyshortcuts", "Alt+Shift+E");
    const row = element("div", undefined, "row");
    row.append(send, insert, closing);
    form.append(label, chat.reply, chat.counter, row);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = chat.reply.value.trim();
      if (!body) return;
      const sent = await act("POST", `/api/contacts/${contact.id}/messages`, { body });
      if (sent) {
        chat.reply.value = "";
        countSegments(chat);
      }
    });
    chat.root.append(chat.log, form);
    countSegments(chat);
    return chat;
  }

  async function loadMessages(chat) {
    try {
      const data = await api("GET", `/api/contacts/${chat.id}/messages`);
      chat.script = data.referral_script;
      chat.insert.textContent = data.referral_sent_at
        ? _("Insert referral script (already sent at {time})", { time: clock(data.referral_sent_at) })
        : _("Insert referral script");
      chat.log.replaceChildren(...data.messages.map((message) => {
        const mine = message.sender === "specialist";
        const kind = { specialist: "sent", line: "line" }[message.sender] || "received";
        const item = element("div", undefined, `message ${kind}`);
        item.append(element("span", SENDERS[message.sender] || message.sender, "sender"));
        const at = element("time", clock(message.at), "at");
        at.dateTime = message.at;
        item.append(at, element("span", message.body, "body"));
        if (message.pictures) item.append(element("span", _("(sent a picture, not shown)"), "hint"));
        if (mine && message.status) item.append(element("span", message.status, "delivery"));
        return item;
      }));
      chat.log.scrollTop = chat.log.scrollHeight;
      announceNewMessages(chat, data.messages);
    } catch (error) {
      notify(error.message);
    }
  }

  // A flagged conversation closes only once the specialist confirms; the texter then gets
  // the crisis numbers. The server refuses (409) a flagged close sent without confirm.
  async function closeChat(chat) {
    const path = `/api/contacts/${chat.id}/close`;
    if (!chat.flagged) return act("POST", path);
    const sure = window.confirm(_(
      "This texter showed crisis signs. Close the conversation? They will be sent the crisis " +
      "numbers (988, text HOME to 741741, 911)."
    ));
    return sure ? act("POST", path, { confirm: true }) : null;
  }

  // New texts sound (and notify a tab in the background): a texter's message in an open
  // conversation, and a text conversation newly waiting. What was there on arrival does not.
  function announceNewMessages(chat, messages) {
    const received = messages.filter((message) => message.sender === "texter").length;
    if (chat.received !== undefined && received > chat.received) {
      window.warmlineAlerts.announce("text", _("A texter wrote in your conversation."));
    }
    chat.received = received;
  }

  let textsWaiting = null;

  function announceNewTexts() {
    // A crisis text sounds its own alarm instead.
    const waiting = shift.on_shift
      ? queue.waiting
        .filter((c) => c.channel === "sms" && c.crisis_tier === 0 && c.id !== textOfferId())
        .map((c) => c.id)
      : [];
    const fresh = textsWaiting === null ? [] : waiting.filter((id) => !textsWaiting.has(id));
    textsWaiting = new Set(waiting);
    if (fresh.length > 0) {
      const contact = queue.waiting.find((c) => c.id === fresh[0]);
      window.warmlineAlerts.announce("text", `${describe(contact)}. ${_("Open the dashboard to take it.")}`);
    }
  }

  function chatPanel(contact) {
    if (!chats.has(contact.id)) chats.set(contact.id, buildChat(contact));
    const chat = chats.get(contact.id);
    chat.flagged = contact.crisis_tier > 0;
    loadMessages(chat);
    return chat.root;
  }

  function callLength(contact) {
    if (contact.talking_seconds === null) return element("p", _("Connecting the call…"), "waited");
    return ticking("p", `${_("In a call")} ·`, contact.talking_seconds, { toTheSecond: true });
  }

  // What a supervisor is doing for a contact, as the specialist on it sees it.
  const SUPPORT = {
    requested: _("You asked for support: the supervisors on duty have been alerted."),
    listening: _("A supervisor is listening to this call."),
    coaching: _("A supervisor is coaching you: only you hear them."),
    joined: _("A supervisor has joined the call: the caller hears them too."),
  };

  async function askForSupport(contactId) {
    const result = await act("POST", `/api/contacts/${contactId}/support`);
    if (!result) return;
    notify(result.supervisors_on_duty
      ? ngettext("A supervisor on duty was alerted.", "{count} supervisors on duty were alerted.",
        result.supervisors_on_duty)
      : _("No supervisor is on duty right now, so nobody was alerted. Call your coordinator if you need someone now."));
  }

  function supportPanel(contact) {
    const panel = element("div", undefined, "support");
    if (SUPPORT[contact.support]) panel.append(element("p", SUPPORT[contact.support], "support-state"));
    if (!contact.support || contact.support === "requested") {
      panel.append(button(contact.support ? _("Ask for support again") : _("I need support"),
        () => askForSupport(contact.id), "ask-support"));
    }
    return panel;
  }

  function renderMine() {
    const live = new Set(queue.mine.filter((c) => c.state === "live").map((c) => c.id));
    for (const id of chats.keys()) if (!live.has(id)) chats.delete(id);
    const list = $("mine-list");
    list.replaceChildren(...queue.mine.map((contact) => {
      const item = element("li", undefined, "contact mine");
      item.dataset.contactId = String(contact.id);
      const heading = element("p", describe(contact), "what");
      heading.prepend(badges(contact));
      item.append(heading);
      if (contact.state === "live" && contact.channel === "voice") {
        item.append(callLength(contact));
        if (contact.crisis_leg) item.append(element("p", CRISIS_LEG[contact.crisis_leg] || "", "crisis-leg"));
        const row = element("div", undefined, "row");
        const waiting = HANDOFF_WAITING.has(contact.crisis_leg);
        if (contact.crisis_leg === "answered") {
          row.append(button(_("The counselor is on the line"),
            () => act("POST", `/api/contacts/${contact.id}/counselor-joined`), "confirm-counselor"));
        }
        const joined = contact.crisis_leg === "joined";
        // With the counselor on, hanging up only takes the specialist out of the call.
        const leave = button(joined ? _("Leave the call (the counselor stays)") : _("End call"),
          () => act("POST", `/api/contacts/${contact.id}/hang-up`), "end-call");
        leave.setAttribute("aria-keyshortcuts", "Alt+Shift+E");
        leave.disabled = waiting;
        if (waiting) leave.title = _("Stay on until the crisis counselor has joined.");
        if (!joined) {
          const transfer = button(_("Transfer to crisis line"), () => askTransfer(contact.id), "danger transfer");
          // The line dials the crisis line only into a call the caller has joined.
          const connecting = contact.talking_seconds === null;
          transfer.disabled = waiting || connecting;
          if (connecting) transfer.title = _("The caller is not connected yet.");
          row.append(transfer);
        }
        row.append(leave);
        item.append(row);
        if (contact.talking_seconds !== null) item.append(supportPanel(contact));
      } else if (contact.state === "live") {
        item.append(element("p", _("Text conversation"), "waited"), supportPanel(contact), chatPanel(contact));
      } else if (contact.state === "wrap_up") {
        item.append(element("p", _("Wrap-up"), "waited"), wrapUpForm(contact));
      }
      return item;
    }));
    $("mine-empty").hidden = queue.mine.length > 0;
  }

  // Keeping up to date.

  function keepForms(render) {
    // Re-rendering would drop half-ticked wrap-up boxes: keep them across refreshes.
    const ticked = new Set([...document.querySelectorAll(".wrap-up input:checked")].map((b) => b.id));
    const focused = document.activeElement && document.activeElement.id;
    render();
    ticked.forEach((id) => { const box = $(id); if (box) box.checked = true; });
    if (focused && $(focused)) $(focused).focus();
  }

  async function refreshNow() {
    try {
      const [nextShift, nextQueue] = await Promise.all([api("GET", "/api/shift"), api("GET", "/api/queue")]);
      shift = nextShift;
      queue = nextQueue;
      fetchedAt = Date.now();
      keepForms(() => {
        renderShift();
        renderQueue();
        renderMine();
        renderOffer();
        renderTextOffer();
        renderCrisis();
        renderTitle();
        tick();
      });
      announceNewTexts();
      follow();
      if (shift.on_shift && shift.ending && !BUSY.has(shift.status) && !beingOffered()
          && queue.mine.length === 0) {
        await act("POST", "/api/shift/end");
      }
    } catch (error) {
      notify(error.message);
    }
  }

  function refresh() {
    // One refresh at a time; events arriving meanwhile fold into one more after it.
    if (refreshing) {
      refreshAgain = true;
      return refreshing;
    }
    refreshing = refreshNow().finally(() => {
      refreshing = null;
      if (refreshAgain) {
        refreshAgain = false;
        refresh();
      }
    });
    return refreshing;
  }

  function startPolling() {
    if (!pollTimer) pollTimer = window.setInterval(refresh, POLL_MS);
  }

  function stopPolling() {
    window.clearInterval(pollTimer);
    pollTimer = null;
  }

  function follow() {
    // Live events while on shift; polling when the browser or the network cannot stream.
    if (!shift.on_shift) {
      if (events) events.close();
      events = null;
      stopPolling();
      return;
    }
    if (events || pollTimer) return;
    if (!("EventSource" in window)) {
      startPolling();
      return;
    }
    events = new EventSource("/api/events");
    events.onopen = () => { stopPolling(); document.body.dataset.live = "stream"; };
    events.onmessage = (message) => {
      const event = JSON.parse(message.data);
      if (event.type === "crisis_alert") alarmDue = true;
      refresh();
    };
    events.onerror = () => {
      document.body.dataset.live = "polling";
      startPolling();
      if (events.readyState === EventSource.CLOSED) events = null;
    };
  }

  // Wiring the controls.

  $("start-shift").addEventListener("click", () => {
    // Asked on a click, as browsers require: a crisis alert reaches a tab in the background.
    if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
    act("POST", "/api/shift/start", { line_id: Number($("line-choice").value) });
  });
  $("go-available").addEventListener("click", () => act("POST", "/api/shift/status", { status: "available" }));
  $("go-break").addEventListener("click", () => {
    act("POST", "/api/shift/status", { status: "break", reason: $("break-reason").value });
  });
  $("end-shift").addEventListener("click", async () => {
    const result = await act("POST", "/api/shift/end");
    if (result && result.ending) notify(_("Your shift will end after this contact."));
  });
  // Signing out ends the shift: say first what happens to what is under way.
  function signOutWarning() {
    if (!shift.on_shift) return "";
    const live = queue.mine.filter((c) => c.state === "live");
    const call = live.some((c) => c.channel === "voice");
    const texts = live.filter((c) => c.channel === "sms").length;
    const parts = [];
    if (call) parts.push(_("Your call goes on until it ends, then your shift ends."));
    if (shift.offer_contact_id !== null) parts.push(_("The caller being offered to you goes to the next specialist."));
    if (textOfferId() !== null) parts.push(_("The texter being offered to you goes to the next specialist."));
    if (texts === 1) parts.push(_("Your open text conversation goes back in line for someone else to take."));
    if (texts > 1) {
      parts.push(ngettext(
        "Your {count} open text conversation goes back in line for others to take.",
        "Your {count} open text conversations go back in line for others to take.",
        texts,
      ));
    }
    if (!call) parts.push(_("Your shift ends now."));
    parts.push(_("No more calls or texts are offered to you until you start a shift again."));
    return parts.join(" ");
  }

  $("sign-out").addEventListener("submit", (event) => {
    const warning = signOutWarning();
    if (!warning) return;
    event.preventDefault();
    $("sign-out-confirm-detail").textContent = warning;
    $("sign-out-confirm").showModal();
    $("sign-out-cancel").focus();
  });
  $("sign-out-go").addEventListener("click", () => $("sign-out").submit());
  $("sign-out-cancel").addEventListener("click", () => $("sign-out-confirm").close());
  $("transfer-dial").addEventListener("click", () => closeTransfer(true));
  $("transfer-cancel").addEventListener("click", () => closeTransfer(false));
  $("transfer-confirm").addEventListener("cancel", (event) => {
    event.preventDefault();
    closeTransfer(false);
  });
  $("recovery-ready").addEventListener("click", () => act("POST", "/api/shift/status", { status: "available" }));
  $("recovery-more").addEventListener("click", () => act("POST", "/api/shift/recovery"));
  $("check-in").addEventListener("click", async () => {
    const said = $("check-in-said");
    const button = $("check-in");
    button.disabled = true;
    try {
      const { reached } = await api("POST", "/api/check-in");
      said.textContent = reached.length
        ? _("Sent to {names}. Someone will check in with you.", { names: reached.join(", ") })
        : _("No coordinator has the console open right now, so nobody could be told. Reach your coordinator the way your line does, or take a break; if you are in crisis yourself, call or text 988.");
    } catch (error) {
      said.textContent = error.message;
    } finally {
      // One press is enough: a few seconds keep a double click from sending it twice.
      window.setTimeout(() => { button.disabled = false; }, 5000);
    }
  });
  $("crisis-accept").addEventListener("click", (event) => {
    act("POST", `/api/contacts/${event.currentTarget.dataset.contactId}/accept`);
  });
  $("offer-accept").addEventListener("click", () => {
    if (lastOfferId !== null) act("POST", `/api/contacts/${lastOfferId}/accept`);
  });
  $("text-offer-accept").addEventListener("click", () => {
    if (lastTextOfferId !== null) act("POST", `/api/contacts/${lastTextOfferId}/accept`);
  });
  $("text-offer-pass").addEventListener("click", () => {
    if (lastTextOfferId === null) return;
    passedTextOffer = lastTextOfferId;
    act("POST", `/api/contacts/${lastTextOfferId}/pass`);
  });
  // Browsers only let a page make sound after a click or a key press.
  const unlockAudio = () => {
    if (!audio && window.AudioContext) audio = new AudioContext();
    if (audio && audio.state === "suspended") audio.resume();
  };
  document.addEventListener("pointerdown", unlockAudio);
  document.addEventListener("keydown", unlockAudio);

  function tick() {
    renderBadge();
    renderCountdown();
    const since = secondsSinceFetch();
    document.querySelectorAll("[data-seconds]").forEach((node) => {
      const format = node.dataset.clock === "seconds" ? clockTime : duration;
      node.textContent = `${node.dataset.prefix} ${format(Number(node.dataset.seconds) + since)}`;
    });
  }

  window.setInterval(tick, 1000);
  window.setInterval(refresh, SAFETY_POLL_MS);

  loadLines().catch((error) => notify(error.message));
  refresh();
})();
