// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // A search submits as an ordinary GET; say so while the next page loads.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var indicator = form.querySelector ? form.querySelector(".loading") : null;
    if (indicator) indicator.hidden = false;
  });
  // Copy buttons (the TrackBack URL): shown only where the browser can copy (a secure
  // context); the field beside them stays selectable for copying by hand.
  if (navigator.clipboard) {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      var status = button.parentNode.querySelector(".copy-status");
      if (!field) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(function () {
          if (status) status.textContent = button.getAttribute("data-text-copied") || "Copied";
        }, function () {
          field.select();
        });
      });
    });
  }
  // Back-forward cache can restore a page with the indicator still showing.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll(".loading").forEach(function (el) { el.hidden = true; });
  });
})();
