/* Live Markdown preview for the admin's writing fields.
 *
 * Each .markdown-editor wraps a textarea and a preview pane. After the author stops typing
 * for a moment, the text is POSTed to the admin's preview URL, which answers with HTML that
 * the server has rendered and sanitized; only that HTML is ever put into the pane.
 * Loaded with defer, so the document is parsed when this runs.
 */
"use strict";

(function () {
  const DELAY_MS = 300;

  function csrfToken(element) {
    const form = element.closest("form");
    const input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setUp(editor) {
    const textarea = editor.querySelector("textarea");
    const pane = editor.querySelector("[data-preview-pane]");
    const status = editor.querySelector("[data-preview-status]");
    const error = editor.querySelector("[data-preview-error]");
    const url = editor.dataset.previewUrl;
    // Words come translated from the template, so this file has no language of its own.
    const unavailable = editor.dataset.textUnavailable || "The preview is unavailable.";
    const failed = editor.dataset.textFailed || "The preview could not be made.";
    if (!textarea || !pane || !status || !error || !url) {
      return;
    }
    let timer = null;
    let latest = 0;
    let controller = null;

    function showError(message) {
      error.textContent = message;
      error.hidden = false;
    }

    function finish(request) {
      if (request === latest) {
        status.hidden = true;
        pane.removeAttribute("aria-busy");
      }
    }

    function refresh() {
      const request = ++latest;
      if (controller) {
        controller.abort();
      }
      controller = new AbortController();
      status.hidden = false;
      pane.setAttribute("aria-busy", "true");
      const body = new FormData();
      body.append("text", textarea.value);
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(editor), Accept: "application/json" },
        signal: controller.signal,
      })
        .then(function (response) {
          const type = response.headers.get("Content-Type") || "";
          if (!type.startsWith("application/json")) {
            throw new Error(unavailable);
          }
          return response.json().then(function (data) {
            return { ok: response.ok, data: data };
          });
        })
        .then(function (result) {
          if (request !== latest) {
            return; // a newer request is out; its answer is the one to show
          }
          if (result.ok && typeof result.data.html === "string") {
            pane.innerHTML = result.data.html;
            error.hidden = true;
          } else {
            showError(result.data.error || failed);
          }
        })
        .catch(function (problem) {
          if (problem.name !== "AbortError" && request === latest) {
            showError(problem.message || failed);
          }
        })
        .finally(function () {
          finish(request);
        });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, DELAY_MS);
    }

    textarea.addEventListener("input", schedule);
    // A browser that restored typed text (back button, reload) shows a stale server preview.
    if (textarea.value !== textarea.defaultValue) {
      schedule();
    }
  }

  document.querySelectorAll(".markdown-editor[data-preview-url]").forEach(setUp);
})();
