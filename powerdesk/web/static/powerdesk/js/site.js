/*
 * powerdesk — small progressive enhancements. Every page works without this file.
 *
 * - Moves keyboard focus to a form's error summary after a failed submission, so screen-reader
 *   users hear what went wrong first (the summary links to each field).
 * - Adds a "Copy" button next to a one-time secret (new API token) and announces the result.
 *
 * Loaded as an external file (CSP script-src 'self'; no inline script anywhere).
 */
(function () {
  "use strict";

  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  function enableCopyButtons() {
    var buttons = document.querySelectorAll("button[data-copy-target]");
    Array.prototype.forEach.call(buttons, function (button) {
      var source = document.getElementById(button.getAttribute("data-copy-target"));
      var status = document.getElementById(button.getAttribute("data-copy-status"));
      if (!source || !navigator.clipboard) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = "value" in source ? source.value : source.textContent;
        navigator.clipboard.writeText(text.trim()).then(
          function () {
            if (status) {
              status.textContent = button.getAttribute("data-copied-text") || "";
            }
          },
          function () {
            if (status) {
              status.textContent = button.getAttribute("data-copy-failed-text") || "";
            }
            if (source.select) {
              source.select();
            }
          }
        );
      });
    });
  }

  function start() {
    focusErrorSummary();
    enableCopyButtons();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
