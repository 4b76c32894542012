// Sound and browser notifications for what needs the specialist (an offer of a caller or a
// texter, a new text), a coordinator (a specialist asking them to check in) or a supervisor
// (a specialist asking for support).
// A browser may refuse sound until the person has clicked or typed on the page. The page
// still tries; when refused, it shows one button to turn sound on instead of staying silent.
// Every attempt is announced as a "warmline:sound" event ({kind, played}) on window.
"use strict";

window.warmlineAlerts = (() => {
  const { _ } = window.words;
  const TONES = {
    offer: [660, 880],
    text_offer: [660, 880],
    text: [880, 660],
    check_in: [523, 659, 784],
    support: [880, 880, 660],
    crisis_waiting: [784, 523, 784, 523],
  };
  const TITLES = {
    offer: _("(1) Offer — a caller is being offered to you"),
    text_offer: _("(1) Offer — a texter is being offered to you"),
    text: _("New text"),
    check_in: _("A specialist asks you to check in"),
    support: _("A specialist asks for support"),
    crisis_waiting: _("Someone showing crisis signs is waiting"),
  };
  const $ = (id) => document.getElementById(id);
  let audio = null;

  function context() {
    if (!audio && window.AudioContext) {
      audio = new AudioContext();
      audio.onstatechange = showSoundState;
    }
    return audio;
  }

  function soundAllowed() {
    return audio !== null && audio.state === "running";
  }

  function showSoundState() {
    const allowed = soundAllowed();
    document.body.dataset.sound = allowed ? "on" : "blocked";
    $("sound-off").hidden = allowed;
  }

  function tones(pitches) {
    const now = audio.currentTime;
    pitches.forEach((pitch, index) => {
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

  function sound(kind) {
    if (context() && audio.state !== "running") {
      // Resolves at once where the browser allows sound; else it waits for a click.
      audio.resume().then(showSoundState).catch(() => {});
    }
    const played = soundAllowed();
    if (played) tones(TONES[kind]);
    showSoundState();
    window.dispatchEvent(new CustomEvent("warmline:sound", { detail: { kind, played } }));
    return played;
  }

  function askForNotifications() {
    // Only from a click, as browsers require.
    if ("Notification" in window && Notification.permission === "default") {
      Notification.requestPermission();
    }
  }

  function notifyInBackground(kind, body) {
    // Only what the dashboard shows anyway: never a caller's details or a texter's words.
    if (!document.hidden || !("Notification" in window) || Notification.permission !== "granted") {
      return;
    }
    const shown = new Notification(TITLES[kind], { body, tag: `warmline-${kind}` });
    shown.addEventListener("click", () => {
      window.focus();
      shown.close();
    });
  }

  function announce(kind, body) {
    sound(kind);
    notifyInBackground(kind, body);
  }

  function turnSoundOn() {
    askForNotifications();
    if (!context()) return;
    audio.resume().then(() => {
      showSoundState();
      tones(TONES.offer);
    }).catch(() => {});
  }

  // Any click or key press on the page lets sound start from then on. On the click, not the
  // press: the notice going away between a press and its release would move the page under
  // the pointer, and the person's first click (an Accept, say) would land on nothing.
  const unlock = () => {
    if (context() && audio.state !== "running") audio.resume().then(showSoundState).catch(() => {});
  };
  document.addEventListener("click", unlock, true);
  document.addEventListener("keydown", unlock);
  document.addEventListener("DOMContentLoaded", () => {
    $("sound-on").addEventListener("click", turnSoundOn);
    // Ask at once: a browser that allows sound (or remembers a click here) lets it start.
    unlock();
    showSoundState();
  });

  return { announce, askForNotifications };
})();
