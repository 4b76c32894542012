// The console's live board: who is on shift and in what state, the calls and texts in
// progress and for how long, who waits. For a supervisor of the line it is also where a
// specialist's request for support sounds, and where they listen to, coach in or join a call.
(function () {
  "use strict";
  const REFRESH_MS = 5000;
  const { _, ngettext } = window.words;
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
  const SUPPORT = {
    "": "",
    requested: _("Asks for support"),
    listening: _("A supervisor is listening"),
    coaching: _("A supervisor is coaching"),
    joined: _("A supervisor has joined"),
  };
  const MODES = [
    ["listen", _("Listen")],
    ["coach", _("Coach")],
    ["join", _("Join the call")],
  ];
  const MODE_STATE = { listen: "listening", coach: "coaching", join: "joined" };

  const board = document.getElementById("live-board");
  const status = document.getElementById("board-status");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  let data = { waiting: [], conversations: [], supervising: false, monitoring: false };
  let fetchedAt = Date.now();
  let events = null;
  // Contacts whose request for support has sounded already.
  const alerted = new Set();

  function duration(seconds) {
    const minutes = Math.floor(seconds / 60);
    const rest = String(seconds % 60).padStart(2, "0");
    return minutes >= 60
      ? `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`
      : `${minutes}:${rest}`;
  }

  function cell(content) {
    const td = document.createElement("td");
    if (typeof content === "string") td.textContent = content;
    else if (typeof content === "number") {
      // A length or a wait, counted up each second from what the server said.
      td.className = "ticking";
      td.dataset.seconds = String(content);
      td.textContent = duration(content + secondsSinceFetch());
    } else td.append(...content);
    return td;
  }

  function secondsSinceFetch() {
    return Math.floor((Date.now() - fetchedAt) / 1000);
  }

  function row(cells, className) {
    const tr = document.createElement("tr");
    if (className) tr.className = className;
    tr.append(...cells.map(cell));
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

  function label(contact) {
    const practice = contact.practice ? " · " + _("practice call") : "";
    return `${CHANNELS[contact.channel] || contact.channel} #${contact.id} (${contact.language})${practice}`;
  }

  function showTeam(people) {
    const body = $("on-shift");
    body.replaceChildren(...(people.length
      ? people.map((person) => row([person.name, stateOf(person), String(person.crisis_contacts_this_week)]))
      : [row([_("Nobody is on shift."), "", ""])]));
  }

  async function supervise(contact, mode) {
    const notice = $("supervise-notice");
    try {
      const response = await fetch(`/api/supervisor/contacts/${contact.id}`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ mode }),
      });
      const answer = await response.json();
      if (!response.ok) throw new Error(answer.error || _("Something went wrong; try again."));
      notice.textContent = mode === "listen"
        ? _("Your phone rings now: answer it to listen to {contact}. Nobody in the call hears you.", { contact: label(contact) })
        : (mode === "coach"
          ? _("{name} hears you now; the caller does not.", { name: contact.specialist })
          : _("Everyone in the call hears you now."));
    } catch (error) {
      notice.textContent = error.message;
    }
    refresh();
  }

  function actions(contact) {
    // A practice call's caller is a trainer: training may be coached on any line.
    if (!data.supervising || contact.channel !== "voice" || !(data.monitoring || contact.practice)) return [];
    return MODES
      .filter(([mode]) => MODE_STATE[mode] !== contact.support)
      .map(([mode, words]) => {
        const node = document.createElement("button");
        node.type = "button";
        node.className = `supervise-${mode}`;
        node.id = `supervise-${mode}-${contact.id}`;
        node.textContent = words;
        node.setAttribute("aria-label", `${words}: ${label(contact)}, ${contact.specialist}`);
        node.addEventListener("click", () => supervise(contact, mode));
        return node;
      });
  }

  function showConversations() {
    const body = $("conversations");
    // The rows are drawn anew: a supervisor's focus stays on the button they were on.
    const focused = document.activeElement && body.contains(document.activeElement) && document.activeElement.id;
    body.replaceChildren(...(data.conversations.length
      ? data.conversations.map((contact) => {
        const support = document.createElement("span");
        support.textContent = SUPPORT[contact.support] || "";
        const asking = contact.support === "requested" ? "asking" : "";
        return row([
          label(contact),
          contact.specialist,
          contact.talking_seconds,
          TIERS[contact.crisis_tier] || String(contact.crisis_tier),
          [support, ...actions(contact)],
        ], contact.crisis_tier > 0 ? "crisis" : asking);
      })
      : [row([_("No call or text in progress."), "", "", "", ""])]));
    if (focused && $(focused)) $(focused).focus();
  }

  function showWaiting() {
    const body = $("waiting");
    const texts = data.waiting.filter((contact) => contact.channel === "sms").length;
    $("texts-waiting").textContent = ngettext("{count} text waiting.", "{count} texts waiting.", texts);
    body.replaceChildren(...(data.waiting.length
      ? data.waiting.map((contact) => row([
        label(contact) + (contact.state === "ringing" ? ` · ${_("being offered")}` : ""),
        contact.waiting_seconds,
        TIERS[contact.crisis_tier] || String(contact.crisis_tier),
      ], contact.crisis_tier > 0 ? "crisis" : ""))
      : [row([_("Nobody is waiting."), "", ""])]));
  }

  function showRequests() {
    const asking = data.conversations.filter((contact) => contact.support === "requested");
    $("support-alert").hidden = !(data.supervising && asking.length);
    $("support-requests").replaceChildren(...asking.map((contact) => {
      const item = document.createElement("li");
      item.textContent = _("{name}, on {contact}", { name: contact.specialist, contact: label(contact) });
      return item;
    }));
    const fresh = asking.filter((contact) => !alerted.has(contact.id));
    fresh.forEach((contact) => alerted.add(contact.id));
    if (data.supervising && fresh.length) {
      window.warmlineAlerts.announce("support", _("{name} asks for support.", { name: fresh[0].specialist }));
    }
  }

  function showDuty() {
    const duty = $("duty");
    duty.hidden = !data.supervising;
    if (!data.supervising) return;
    duty.textContent = data.monitoring
      ? _("You are on duty as a supervisor while this board is open: a specialist's request for support sounds here.")
      : _("You are on duty as a supervisor while this board is open. This line does not tell callers that a supervisor may listen, so you cannot listen to its calls.");
  }

  function follow() {
    // A supervisor hears a request for support at once; everyone else is kept current by polling.
    if (!data.supervising || events || !("EventSource" in window)) return;
    events = new EventSource(board.dataset.eventsUrl);
    events.onmessage = () => refresh();
    events.onerror = () => {
      if (events.readyState === EventSource.CLOSED) events = null;
    };
  }

  async function refresh() {
    try {
      const response = await fetch(board.dataset.boardUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      data = await response.json();
      fetchedAt = Date.now();
      showTeam(data.specialists);
      showConversations();
      showWaiting();
      showRequests();
      showDuty();
      follow();
      status.textContent = "";
    } catch (error) {
      status.textContent = _("The board could not be brought up to date; trying again.");
    }
  }

  function tick() {
    const elapsed = secondsSinceFetch();
    for (const td of board.querySelectorAll("td.ticking")) {
      td.textContent = duration(Number(td.dataset.seconds) + elapsed);
    }
  }

  refresh();
  window.setInterval(refresh, REFRESH_MS);
  window.setInterval(tick, 1000);
})();
