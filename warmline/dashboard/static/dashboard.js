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

  const TIERS = { 1: "Crisis risk", 2: "Crisis: imminent" };
  const LANGUAGES = { en: "English", es: "Spanish" };
  const CHANNELS = { voice: "Call", sms: "Text" };
  const STATUSES = {
    available: "Available",
    break: "On break",
    wrap_up: "Wrap-up",
    on_call: "In a conversation",
    texting: "Texting",
    offline: "Offline",
  };
  const BUSY = new Set(["on_call", "texting"]);
  const REASONS = {
    missed_offer: "you missed an offer",
    no_phone: "you have no phone number set",
    phone_unreachable: "your phone could not be reached",
    rest: "rest",
    meal: "meal",
    debrief: "debrief",
    technical: "technical trouble",
    other: "other",
  };

  let shift = { on_shift: false, status: "offline" };
  let queue = { waiting: [], mine: [] };
  let fetchedAt = Date.now();
  let events = null;
  let pollTimer = null;
  let lastOfferId = null;
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
      throw new Error("Please sign in again.");
    }
    const data = response.status === 204 ? {} : await response.json();
    if (!response.ok) {
      throw new Error(data.error || "Something went wrong; try again.");
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

  function elapsed(contact) {
    return contact.waiting_seconds + Math.floor((Date.now() - fetchedAt) / 1000);
  }

  function describe(contact) {
    const parts = [
      CHANNELS[contact.channel] || contact.channel,
      LANGUAGES[contact.language] || contact.language,
    ];
    if (contact.contacts_this_month !== null) {
      const times = contact.contacts_this_month;
      parts.push(times === 1 ? "first contact this month" : `${times} contacts this month`);
    }
    if (contact.flagged_hours_ago !== null && contact.flagged_hours_ago !== undefined) {
      const hours = contact.flagged_hours_ago;
      const ago = hours < 1 ? "less than an hour ago" : hours === 1 ? "1 hour ago" : `${hours} hours ago`;
      parts.push(`flagged: crisis signs in a contact ${ago}`);
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

  function renderShift() {
    const status = shift.on_shift ? shift.status : "offline";
    const badge = $("status-badge");
    badge.dataset.status = status;
    badge.textContent = STATUSES[status] || status;
    $("shift-off").hidden = shift.on_shift;
    $("shift-on").hidden = !shift.on_shift;
    if (!shift.on_shift) return;
    $("shift-line").textContent = shift.line.name;
    let text = STATUSES[status] || status;
    if (status === "break" && shift.reason) text += ` (${REASONS[shift.reason] || shift.reason})`;
    if (shift.ending) text += " — your shift ends after this contact";
    $("shift-status").textContent = text;
    const busy = BUSY.has(status) || shift.offer_contact_id !== null
      || queue.mine.some((c) => c.state === "live");
    $("go-available").disabled = busy || status === "available";
    $("go-break").disabled = busy || status === "break";
    renderCountdown();
  }

  function renderCountdown() {
    const node = $("wrap-up-countdown");
    if (!shift.on_shift || shift.status !== "wrap_up") {
      node.textContent = "";
      return;
    }
    const left = Math.max(0, shift.wrap_up_seconds_left - Math.floor((Date.now() - fetchedAt) / 1000));
    node.textContent = left > 0 ? `— offers resume in ${duration(left)}` : "— offers have resumed";
  }

  // The offer.

  function chime() {
    if (!audio) return;
    const now = audio.currentTime;
    [660, 880].forEach((pitch, index) => {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = pitch;
      gain.gain.setValueAtTime(0.2, now + index * 0.25);
      gain.gain.exponentialRampToValueAtTime(0.001, now + index * 0.25 + 0.22);
      tone.connect(gain).connect(audio.destination);
      tone.start(now + index * 0.25);
      tone.stop(now + index * 0.25 + 0.25);
    });
  }

  function renderTitle() {
    const offer = shift.on_shift && shift.offer_contact_id !== null ? "(1) Offer — " : "";
    const crisis = crisisWaiting().length > 0 ? "(!) Crisis — " : "";
    document.title = `${crisis}${offer}${TITLE}`;
  }

  function renderOffer() {
    const offerId = shift.on_shift ? shift.offer_contact_id : null;
    const panel = $("offer");
    panel.hidden = offerId === null;
    if (offerId !== null) {
      const contact = queue.waiting.find((c) => c.id === offerId);
      const waited = contact ? `, waiting ${duration(elapsed(contact))}` : "";
      $("offer-detail").textContent = contact ? `${describe(contact)}${waited}` : "";
      if (offerId !== lastOfferId) {
        chime();
        $("offer-accept").focus();
      }
    }
    lastOfferId = offerId;
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
    new Notification("(!) Crisis — someone is waiting", {
      body: `${TIERS[contact.crisis_tier]} · ${describe(contact)}. Open the dashboard to take it.`,
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
    const waited = element("span", "", "waited");
    waited.dataset.prefix = "waiting";
    waited.dataset.seconds = String(first.waiting_seconds);
    detail.append(waited);
    const take = $("crisis-accept");
    take.hidden = !(shift.status !== "on_call" && first.state === "waiting");
    take.dataset.contactId = String(first.id);
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
    // Someone texting may take more texts, up to the line's limit: the server decides.
    const accepting = shift.on_shift && shift.status !== "on_call";
    list.replaceChildren(...queue.waiting.map((contact) => {
      const item = element("li", undefined, "contact");
      item.dataset.contactId = String(contact.id);
      const heading = element("p", describe(contact), "what");
      heading.prepend(badges(contact));
      const waited = element("p", "", "waited");
      waited.dataset.prefix = contact.state === "ringing" ? "Being offered" : "Waiting";
      waited.dataset.seconds = String(contact.waiting_seconds);
      item.append(heading, waited);
      if (accepting && contact.state === "waiting") {
        const label = `Accept ${CHANNELS[contact.channel] || ""} waiting ${duration(elapsed(contact))}`;
        const accept = button("Accept", () => act("POST", `/api/contacts/${contact.id}/accept`), "primary");
        accept.setAttribute("aria-label", label.replace(/\s+/g, " "));
        item.append(accept);
      }
      return item;
    }));
    $("queue-count").textContent = String(queue.waiting.length);
    $("queue-empty").hidden = queue.waiting.length > 0;
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
    topics.append(element("legend", "Topics"));
    const offered = shift.on_shift ? shift.line.wrap_up_topics : [];
    offered.forEach((topic, index) => {
      topics.append(checkbox(`topic-${contact.id}-${index}`, "topic", topic, topic));
    });
    form.append(topics);
    for (const [name, text] of [
      ["crisis_referral_offered", "Crisis referral offered"],
      ["follow_up_needed", "Follow-up needed"],
    ]) {
      form.append(checkbox(`${name}-${contact.id}`, name, text));
    }
    preTickReferral(form.elements.crisis_referral_offered, contact);
    const save = element("button", "Save wrap-up", "primary");
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
    dialing: "Calling the crisis line… stay on until the counselor joins.",
    ringing: "The crisis line is ringing… stay on until the counselor joins.",
    answered: "The crisis line answered, but a person may not be there yet. Stay on; press " +
      "\"The counselor is on the line\" once you hear one.",
    joined: "The crisis counselor has joined. You may leave the call.",
    unreached: "The crisis line did not answer. Stay with the caller; give them 988 and 911.",
    left: "The crisis counselor has left the call.",
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
    chat.counter.textContent = `${text.length} / 1600 characters · ${segments} SMS ${segments === 1 ? "segment" : "segments"}`;
  }

  const SENDERS = { specialist: "You", texter: "Texter", line: "The line (automatic)" };

  function clock(iso) {
    return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
  }

  function buildChat(contact) {
    const chat = { id: contact.id, script: "" };
    chat.root = element("div", undefined, "chat");
    // A log, not a list: role="log" on an <ol> would leave its items outside any list.
    chat.log = element("div", undefined, "messages");
    chat.log.setAttribute("role", "log");
    chat.log.setAttribute("aria-label", "Conversation");
    chat.log.tabIndex = 0;
    const form = element("form", undefined, "stack");
    const label = element("label", "Reply");
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
    const send = element("button", "Send", "primary");
    send.type = "submit";
    const insert = chat.insert = button("Insert referral script", () => {
      const before = chat.reply.value.trim();
      chat.reply.value = before ? `${before} ${chat.script}` : chat.script;
      countSegments(chat);
      chat.reply.focus();
    });
    const closing = button("Close conversation", () => closeChat(chat), "danger");
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
        ? `Insert referral script (already sent at ${clock(data.referral_sent_at)})`
        : "Insert referral script";
      chat.log.replaceChildren(...data.messages.map((message) => {
        const mine = message.sender === "specialist";
        const kind = { specialist: "sent", line: "line" }[message.sender] || "received";
        const item = element("div", undefined, `message ${kind}`);
        item.append(element("span", SENDERS[message.sender] || message.sender, "sender"));
        const at = element("time", clock(message.at), "at");
        at.dateTime = message.at;
        item.append(at, element("span", message.body, "body"));
        if (message.pictures) item.append(element("span", "(sent a picture, not shown)", "hint"));
        if (mine && message.status) item.append(element("span", message.status, "delivery"));
        return item;
      }));
      chat.log.scrollTop = chat.log.scrollHeight;
    } catch (error) {
      notify(error.message);
    }
  }

  // A flagged conversation closes only once the specialist confirms; the texter then gets
  // the crisis numbers. The server refuses (409) a flagged close sent without confirm.
  async function closeChat(chat) {
    const path = `/api/contacts/${chat.id}/close`;
    if (!chat.flagged) return act("POST", path);
    const sure = window.confirm(
      "This texter showed crisis signs. Close the conversation? They will be sent the crisis " +
      "numbers (988, text HOME to 741741, 911)."
    );
    return sure ? act("POST", path, { confirm: true }) : null;
  }

  function chatPanel(contact) {
    if (!chats.has(contact.id)) chats.set(contact.id, buildChat(contact));
    const chat = chats.get(contact.id);
    chat.flagged = contact.crisis_tier > 0;
    loadMessages(chat);
    return chat.root;
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
        item.append(element("p", "In a call", "waited"));
        if (contact.crisis_leg) item.append(element("p", CRISIS_LEG[contact.crisis_leg] || "", "crisis-leg"));
        const row = element("div", undefined, "row");
        const waiting = HANDOFF_WAITING.has(contact.crisis_leg);
        if (contact.crisis_leg === "answered") {
          row.append(button("The counselor is on the line",
            () => act("POST", `/api/contacts/${contact.id}/counselor-joined`), "confirm-counselor"));
        }
        const joined = contact.crisis_leg === "joined";
        // With the counselor on, hanging up only takes the specialist out of the call.
        const leave = button(joined ? "Leave the call (the counselor stays)" : "End call",
          () => act("POST", `/api/contacts/${contact.id}/hang-up`));
        leave.disabled = waiting;
        if (waiting) leave.title = "Stay on until the crisis counselor has joined.";
        if (!joined) {
          const transfer = button("Transfer to crisis line", () => askTransfer(contact.id), "danger transfer");
          transfer.disabled = waiting;
          row.append(transfer);
        }
        row.append(leave);
        item.append(row);
      } else if (contact.state === "live") {
        item.append(element("p", "Text conversation", "waited"), chatPanel(contact));
      } else if (contact.state === "wrap_up") {
        item.append(element("p", "Wrap-up", "waited"), wrapUpForm(contact));
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
        renderCrisis();
        renderTitle();
        tick();
      });
      follow();
      if (shift.on_shift && shift.ending && !BUSY.has(shift.status) && shift.offer_contact_id === null
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
      if (event.type === "offer" && event.mine) notify("A caller is being offered to you.");
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
    if (result && result.ending) notify("Your shift will end after this contact.");
  });
  $("transfer-dial").addEventListener("click", () => closeTransfer(true));
  $("transfer-cancel").addEventListener("click", () => closeTransfer(false));
  $("transfer-confirm").addEventListener("cancel", (event) => {
    event.preventDefault();
    closeTransfer(false);
  });
  $("crisis-accept").addEventListener("click", (event) => {
    act("POST", `/api/contacts/${event.currentTarget.dataset.contactId}/accept`);
  });
  $("offer-accept").addEventListener("click", () => {
    if (lastOfferId !== null) act("POST", `/api/contacts/${lastOfferId}/accept`);
  });
  // Browsers only let a page make sound after a click or a key press.
  const unlockAudio = () => {
    if (!audio && window.AudioContext) audio = new AudioContext();
    if (audio && audio.state === "suspended") audio.resume();
  };
  document.addEventListener("pointerdown", unlockAudio);
  document.addEventListener("keydown", unlockAudio);

  function tick() {
    renderCountdown();
    const since = Math.floor((Date.now() - fetchedAt) / 1000);
    document.querySelectorAll("[data-seconds]").forEach((node) => {
      node.textContent = `${node.dataset.prefix} ${duration(Number(node.dataset.seconds) + since)}`;
    });
  }

  window.setInterval(tick, 1000);
  window.setInterval(refresh, SAFETY_POLL_MS);

  loadLines().catch((error) => notify(error.message));
  refresh();
})();
