// Refresh what each phone hears without a full reload, so typed text and focus survive.
(function () {
  "use strict";
  var INTERVAL_MS = 1500;

  // Each transcript shows its newest line, as a phone's screen would.
  function scrollToNewest() {
    document.querySelectorAll(".transcript").forEach(function (list) {
      list.scrollTop = list.scrollHeight;
    });
  }

  function busy() {
    var active = document.activeElement;
    return active && active.tagName === "INPUT" && active.value !== "";
  }

  function refresh() {
    if (busy()) {
      return;
    }
    fetch(window.location.pathname, { headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || busy()) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var live = document.querySelector("[data-live]");
        var next = fresh.querySelector("[data-live]");
        if (live && next && live.innerHTML !== next.innerHTML) {
          live.innerHTML = next.innerHTML;
          scrollToNewest();
        }
      })
      .catch(function () {});
  }

  document.addEventListener("DOMContentLoaded", scrollToNewest);
  window.setInterval(refresh, INTERVAL_MS);
})();
