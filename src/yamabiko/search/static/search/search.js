// Search as you type: the best matches appear under the Search box while typing.
// Progressive enhancement only: without this file (or without fetch) the form submits
// to the results page as usual, and Enter still does that when no suggestion is chosen.
(function () {
  "use strict";
  var DELAY_MS = 250;
  var form = document.querySelector("form.search-form[data-suggest-url]");
  if (!form || !window.fetch || !window.Promise) return;
  var input = form.querySelector("input[name=q]");
  var list = form.querySelector(".search-suggestions");
  var indicator = form.querySelector(".loading");
  var announcer = form.querySelector(".search-suggestions-status");
  if (!input || !list) return;
  // Words come translated in the form's data-text-* attributes (a cached page, and no
  // inline script under the Content-Security-Policy); "{count}" is filled in.
  var lang = document.documentElement.lang || undefined;

  function text(name) {
    return form.getAttribute("data-text-" + name) || "";
  }

  function counted(name, count) {
    return text(count === 1 ? name + "-one" : name).replace("{count}", count.toLocaleString(lang));
  }

  var timer = null;
  var sequence = 0; // only the newest request may change the list
  var controller = null;
  var active = -1;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  function options() {
    return list.querySelectorAll("[role=option]");
  }

  function announce(text) {
    if (announcer) announcer.textContent = text;
  }

  function setLoading(on) {
    if (indicator) indicator.hidden = !on;
  }

  function open() {
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    setActive(-1);
  }

  function setActive(index) {
    var items = options();
    if (index < -1) index = items.length - 1;
    if (index >= items.length) index = -1;
    active = index;
    for (var i = 0; i < items.length; i++) {
      var chosen = i === index;
      items[i].setAttribute("aria-selected", chosen ? "true" : "false");
      items[i].classList.toggle("is-active", chosen);
    }
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", items[index].id);
      items[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  // The server escapes snippets and adds only <mark>; copy text and <mark> and nothing
  // else, so a bug there cannot become script here.
  function appendMarked(target, html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    template.content.childNodes.forEach(function (node) {
      if (node.nodeType === Node.TEXT_NODE) {
        target.appendChild(document.createTextNode(node.textContent));
      } else if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        target.appendChild(mark);
      }
    });
  }

  function option(id, url, className) {
    var item = document.createElement("li");
    item.id = id;
    item.className = className;
    item.setAttribute("role", "option");
    item.setAttribute("aria-selected", "false");
    item.dataset.url = url;
    // Keep focus in the box, so the list does not close before the click lands.
    item.addEventListener("mousedown", function (event) { event.preventDefault(); });
    item.addEventListener("click", function () { window.location.assign(url); });
    return item;
  }

  function span(className, text) {
    var element = document.createElement("span");
    element.className = className;
    if (text) element.textContent = text;
    return element;
  }

  function render(data) {
    list.textContent = "";
    data.results.forEach(function (result, index) {
      var item = option("search-suggestion-" + index, result.url, "suggestion");
      item.appendChild(span("suggestion-title", result.title));
      var snippet = span("suggestion-snippet");
      appendMarked(snippet, result.snippet);
      item.appendChild(snippet);
      if (result.date_text || result.category) {
        var meta = [result.category, result.date_text].filter(Boolean).join(" · ");
        item.appendChild(span("suggestion-meta", meta));
      }
      list.appendChild(item);
    });
    var all = option("search-suggestion-all", data.url, "suggestion suggestion-all");
    all.textContent = data.count ? counted("all", data.count) : text("none");
    list.appendChild(all);
    active = -1;
    open();
    announce(data.count ? counted("count", data.count) : text("no-matches"));
  }

  function cancel() {
    clearTimeout(timer);
    sequence += 1;
    if (controller) controller.abort();
    controller = null;
    setLoading(false);
  }

  function request(query) {
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    sequence += 1;
    var mine = sequence;
    setLoading(true);
    var url = form.getAttribute("data-suggest-url") + "?q=" + encodeURIComponent(query);
    fetch(url, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (mine === sequence) render(data);
      })
      .catch(function () {
        if (mine === sequence) close();
      })
      .then(function () {
        if (mine === sequence) setLoading(false);
      });
  }

  input.addEventListener("input", function () {
    var query = input.value;
    cancel();
    if (!query.trim()) {
      list.textContent = "";
      announce("");
      close();
      return;
    }
    timer = setTimeout(function () { request(query); }, DELAY_MS);
  });

  input.addEventListener("keydown", function (event) {
    var count = options().length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!count) return;
      event.preventDefault();
      if (list.hidden) open();
      setActive(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      if (!list.hidden && active >= 0) {
        event.preventDefault();
        window.location.assign(options()[active].dataset.url);
      } else {
        cancel(); // the form submits; a late response must not open the list
      }
    } else if (event.key === "Escape") {
      if (!list.hidden) {
        event.preventDefault();
        close();
      } else if (input.value) {
        event.preventDefault();
        input.value = "";
        cancel();
      }
    }
  });

  form.addEventListener("focusout", function (event) {
    if (!form.contains(event.relatedTarget)) close();
  });
  input.addEventListener("focus", function () {
    if (options().length && input.value.trim()) open();
  });
  // Coming back through the back-forward cache: nothing is in flight any more. (Not on
  // the first pageshow, which can come after a fast typist's first keystrokes.)
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      cancel();
      close();
    }
  });
})();
