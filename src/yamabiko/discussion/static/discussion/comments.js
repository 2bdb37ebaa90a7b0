// Comments without a page reload. Without this file the form posts and redirects as usual.
(function () {
  "use strict";
  var form = document.getElementById("comment-form");
  if (!form || !window.fetch || !window.FormData) return;
  var section = document.getElementById("comments");
  var loading = form.querySelector(".loading");
  var status = form.querySelector(".form-status");
  var errors = form.querySelector(".form-errors");
  var parentInput = form.querySelector("input[name=parent]");
  var replying = form.querySelector(".replying-to");
  var home = form.parentNode;
  var homeNext = form.nextSibling;
  // Words come translated in the form's data-text-* attributes (a cached page, and no
  // inline script under the Content-Security-Policy); "{count}" and "{id}" are filled in.
  var lang = document.documentElement.lang || undefined;

  function text(name, fallback) {
    return form.getAttribute("data-text-" + name) || fallback;
  }

  function counted(name, count) {
    var template = text(count === 1 ? name + "-one" : name, "");
    return template.replace("{count}", count.toLocaleString(lang));
  }

  function clearErrors() {
    errors.textContent = "";
    form.querySelectorAll(".field-error").forEach(function (el) { el.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
    });
  }

  function showErrors(list) {
    Object.keys(list).forEach(function (field) {
      var messages = list[field].map(function (e) { return e.message || e; }).join(" ");
      var input = form.querySelector("[name=" + field + "]");
      var slot = input && document.getElementById(input.id + "-error");
      if (slot) {
        slot.textContent = messages;
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", slot.id);
      } else {
        var p = document.createElement("p");
        p.textContent = messages;
        errors.appendChild(p);
      }
    });
  }

  function replyTo(id) {
    var target = document.getElementById("comment-" + id);
    if (!target) return;
    parentInput.value = id;
    replying.hidden = false;
    var link = replying.querySelector("a");
    link.href = "#comment-" + id;
    link.textContent = text("reply-link", "comment {id}").replace("{id}", id);
    target.querySelector(".comment-article").after(form);
    form.querySelector("textarea").focus();
  }

  function cancelReply() {
    parentInput.value = "";
    replying.hidden = true;
    home.insertBefore(form, homeNext);
  }

  function insert(payload) {
    var holder = document.createElement("div");
    holder.innerHTML = payload.html;  // server-rendered and sanitized
    var item = holder.firstElementChild;
    var list = section.querySelector(".comment-list");
    if (payload.parent) {
      var parent = document.getElementById("comment-" + payload.parent);
      if (parent) {
        list = parent.querySelector(":scope > .comment-replies");
        if (!list) {
          list = document.createElement("ol");
          list.className = "comment-replies";
          parent.appendChild(list);
        }
      }
    }
    list.appendChild(item);
    var empty = section.querySelector(".comments-empty");
    if (empty) empty.remove();
    var count = section.querySelector(".comment-count");
    if (count) {
      // The count is shown grouped ("1,234"): read back only its digits.
      var total = Number(count.textContent.replace(/\D/g, "")) + 1;
      count.textContent = total.toLocaleString(lang);
      var footer = document.querySelector(".entry-comments");
      if (footer) footer.textContent = counted("count", total);
    }
    return item;
  }

  section.addEventListener("click", function (event) {
    var reply = event.target.closest(".comment-reply");
    if (reply) {
      event.preventDefault();
      replyTo(reply.getAttribute("data-parent"));
    } else if (event.target.closest(".cancel-reply")) {
      event.preventDefault();
      cancelReply();
    }
  });

  var inFlight = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (inFlight) return;
    inFlight = true;
    clearErrors();
    status.textContent = "";
    loading.hidden = false;
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (payload) {
        return { ok: response.ok, payload: payload };
      }, function () {
        return { ok: false, payload: { errors: { __all__: [text("bad-answer", "Error")] } } };
      });
    }).then(function (result) {
      var payload = result.payload;
      if (!result.ok) {
        showErrors(payload.errors || {});
        return;
      }
      form.querySelector("textarea").value = "";
      if (payload.status === "approved" && payload.html) {
        var item = insert(payload);
        cancelReply();
        status.textContent = text("published", "");
        item.scrollIntoView({ block: "nearest" });
      } else {
        cancelReply();
        status.textContent = payload.message;
      }
    }).catch(function () {
      showErrors({ __all__: [text("unreachable", "Error")] });
    }).finally(function () {
      inFlight = false;
      loading.hidden = true;
      button.disabled = false;
    });
  });

  var wanted = new URLSearchParams(window.location.search).get("replyto");
  if (wanted && parentInput.value === wanted) replyTo(wanted);
})();
