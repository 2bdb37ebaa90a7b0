// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // A search submits as an ordinary GET; say so while the next page loads.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var indicator = form.querySelector ? form.querySelector(".loading") : null;
    if (indicator) indicator.hidden = false;
  });
  // Back-forward cache can restore a page with the indicator still showing.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll(".loading").forEach(function (el) { el.hidden = true; });
  });
})();
