// The console's live board: who is on shift and in what state, who waits and for how long.
(function () {
  "use strict";
  const REFRESH_MS = 5000;
  const { _ } = window.words;
  const STATES = {
    available: _("Free for the next contact"),
    on_call: _("In a call"),
    texting: _("Texting"),
    wrap_up: _("Wrapping up"),
    recovery: _("On a recovery break"),
    break: _("On a break"),
  };
  const BREAKS = {
    missed_offer: _("missed an offer"),
    no_phone: _("no phone number set"),
    phone_unreachable: _("phone could not be reached"),
    rest: _("rest"),
    meal: _("meal"),
    debrief: _("debrief"),
    technical: _("technical trouble"),
    other: _("other"),
  };
  const CHANNELS = { voice: _("Call"), sms: _("Text") };
  const TIERS = [_("None"), _("Risk"), _("Imminent risk")];

  const board = document.getElementById("live-board");
  const status = document.getElementById("board-status");
  let waiting = [];
  let fetchedAt = Date.now();

  function duration(seconds) {
    const minutes = Math.floor(seconds / 60);
    const rest = String(seconds % 60).padStart(2, "0");
    return minutes >= 60
      ? `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`
      : `${minutes}:${rest}`;
  }

  function row(cells, className) {
    const tr = document.createElement("tr");
    if (className) tr.className = className;
    for (const text of cells) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  }

  function stateOf(person) {
    let words = STATES[person.status] || person.status;
    if (person.status === "break" && person.reason) {
      words += ` (${BREAKS[person.reason] || person.reason.replace(/_/g, " ")})`;
    }
    if (person.status === "wrap_up" && person.wrap_up_seconds_left > 0) {
      words += ` (${_("{time} left", { time: duration(person.wrap_up_seconds_left) })})`;
    }
    if (person.status === "recovery" && person.recovery_seconds_left > 0) {
      words += ` (${_("{time} left", { time: duration(person.recovery_seconds_left) })})`;
    }
    if (person.ending) words += ` · ${_("stopping after this contact")}`;
    return words;
  }

  function showTeam(people) {
    const body = document.getElementById("on-shift");
    body.replaceChildren(...(people.length
      ? people.map((person) => row([person.name, stateOf(person), String(person.crisis_contacts_this_week)]))
      : [row([_("Nobody is on shift."), "", ""])]));
  }

  function showWaiting() {
    const body = document.getElementById("waiting");
    const elapsed = Math.floor((Date.now() - fetchedAt) / 1000);
    body.replaceChildren(...(waiting.length
      ? waiting.map((contact) => row([
        `${CHANNELS[contact.channel] || contact.channel} #${contact.id} (${contact.language})`
          + (contact.state === "ringing" ? ` · ${_("being offered")}` : ""),
        duration(contact.waiting_seconds + elapsed),
        TIERS[contact.crisis_tier] || String(contact.crisis_tier),
      ], contact.crisis_tier > 0 ? "crisis" : ""))
      : [row([_("Nobody is waiting."), "", ""])]));
  }

  async function refresh() {
    try {
      const response = await fetch(board.dataset.boardUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      fetchedAt = Date.now();
      waiting = data.waiting;
      showTeam(data.specialists);
      showWaiting();
      status.textContent = "";
    } catch (error) {
      status.textContent = _("The board could not be brought up to date; trying again.");
    }
  }

  refresh();
  window.setInterval(refresh, REFRESH_MS);
  window.setInterval(showWaiting, 1000);
})();
