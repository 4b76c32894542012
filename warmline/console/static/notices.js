// The coordinator's notices on every console page: a specialist asking them to check in, or
// the line warning that someone showing crisis signs has waited a minute.
// Asking every few seconds is also what counts the coordinator as on shift (coordinators.py).
(function () {
  "use strict";
  const ASK_MS = 5000;
  const { _ } = window.words;
  const panel = document.getElementById("notices");
  const list = document.getElementById("notices-list");
  const shown = new Set(JSON.parse(sessionStorage.getItem("warmline-notices-seen") || "[]"));
  const dismissed = new Set(JSON.parse(sessionStorage.getItem("warmline-notices-dismissed") || "[]"));

  function remember() {
    sessionStorage.setItem("warmline-notices-seen", JSON.stringify([...shown]));
    sessionStorage.setItem("warmline-notices-dismissed", JSON.stringify([...dismissed]));
  }

  // In the line's time, as every time the console shows.
  function clock(ms, timeZone) {
    return new Date(ms).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit", timeZone });
  }

  function render(notices) {
    const open = notices.filter((notice) => !dismissed.has(notice.id));
    list.replaceChildren(...open.map((notice) => {
      const item = document.createElement("li");
      item.dataset.kind = notice.kind;
      const words = document.createElement("p");
      const where = { line: notice.line_name, time: clock(notice.at_ms, notice.line_timezone) };
      const done = document.createElement("button");
      done.type = "button";
      if (notice.kind === "crisis_waiting") {
        words.textContent = _("Someone showing crisis signs has waited over a minute and nobody free has taken them ({line}, {time}). The live board shows who is busy or on a break.", where);
        done.textContent = _("Seen");
        done.setAttribute("aria-label", _("Seen: someone showing crisis signs is waiting"));
      } else {
        words.textContent = _("{name} asks you to check in with them ({line}, {time}).", { name: notice.from_name, ...where });
        done.textContent = _("Done: I am checking in");
        done.setAttribute("aria-label", _("Done: I am checking in with {name}", { name: notice.from_name }));
      }
      done.addEventListener("click", () => {
        dismissed.add(notice.id);
        remember();
        render(notices);
      });
      item.append(words, done);
      return item;
    }));
    panel.hidden = open.length === 0;
    const fresh = open.filter((notice) => !shown.has(notice.id));
    if (fresh.length) {
      fresh.forEach((notice) => shown.add(notice.id));
      remember();
      if (fresh.some((notice) => notice.kind === "crisis_waiting")) {
        window.warmlineAlerts.announce("crisis_waiting", _("Someone showing crisis signs is waiting."));
      } else {
        window.warmlineAlerts.announce("check_in", _("A specialist asks you to check in with them."));
      }
    }
  }

  async function ask() {
    try {
      const response = await fetch(panel.dataset.noticesUrl, { headers: { Accept: "application/json" } });
      if (response.ok) render((await response.json()).notices);
    } catch (error) {
      // The next ask tries again; a notice waits in Redis meanwhile.
    }
  }

  ask();
  window.setInterval(ask, ASK_MS);
})();
