// On a phone the shift card's controls fold behind their summary, so the waiting line shows
// first; on a wider screen they are always open.
(function () {
  "use strict";
  const phone = window.matchMedia("(max-width: 43.99rem)");
  const controls = document.getElementById("shift-controls");

  function fit() {
    controls.open = !phone.matches;
  }

  fit();
  phone.addEventListener("change", fit);
})();
