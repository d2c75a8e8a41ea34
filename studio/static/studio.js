// The studio's own script (no inline scripts anywhere): Markdown buttons, focus after an edit,
// the preview's languages, width and part, and reloading the preview after each change.
(function () {
  "use strict";

  function wrap(area, kind) {
    var start = area.selectionStart, end = area.selectionEnd, text = area.value;
    var picked = text.slice(start, end);
    var out;
    if (kind === "bold") out = "**" + (picked || "bold text") + "**";
    else if (kind === "italic") out = "*" + (picked || "italic text") + "*";
    else if (kind === "link") out = "[" + (picked || "words saying where it goes") + "](https://)";
    else out = (picked || "item").split("\n").map(function (line) { return "- " + line.replace(/^- /, ""); }).join("\n");
    area.value = text.slice(0, start) + out + text.slice(end);
    area.focus();
    area.setSelectionRange(start, start + out.length);
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-md]");
    if (!button) return;
    var area = document.getElementById(button.getAttribute("data-for"));
    if (area) wrap(area, button.getAttribute("data-md"));
  });

  function frames() { return Array.prototype.slice.call(document.querySelectorAll("#frames iframe")); }
  var version = 0;

  function refresh() {
    var part = document.querySelector("input[name=part]:checked");
    var width = document.querySelector("input[name=width]:checked");
    version += 1;
    frames().forEach(function (frame) {
      var lang = frame.getAttribute("data-lang");
      var shown = document.getElementById("show-" + lang);
      frame.hidden = !(shown && shown.checked);
      frame.width = width ? width.value : "640";
      if (!frame.hidden) {
        frame.setAttribute("data-asked", "reload " + version);    // an answer still on its way is dropped
        frame.src = frame.getAttribute("data-base") + "/" + (part ? part.value : "preview") + "/" + lang + "?v=" + version;
      }
    });
    var box = document.getElementById("frames");
    if (box) box.setAttribute("data-version", String(version));
  }

  // After an edit: each shown frame fetches its email again and only the parts of its body that
  // changed are replaced (a whole reload makes the browser lay out every email again); a frame
  // whose head changed (the subject) or that shows the text part is reloaded.
  function same(a, b) { return a.outerHTML === b.outerHTML; }

  function sync(into, from, depth) {
    var old = into.children, fresh = from.children;
    if (old.length !== fresh.length || depth > 6) {
      into.innerHTML = from.innerHTML;
      return;
    }
    for (var i = 0; i < old.length; i += 1) {
      if (same(old[i], fresh[i])) continue;
      if (old[i].tagName === fresh[i].tagName && old[i].children.length && fresh[i].children.length &&
          old[i].attributes.length === fresh[i].attributes.length) {
        sync(old[i], fresh[i], depth + 1);
        if (!same(old[i], fresh[i])) old[i].replaceWith(into.ownerDocument.importNode(fresh[i], true));
      } else {
        old[i].replaceWith(into.ownerDocument.importNode(fresh[i], true));
      }
    }
  }

  function patch(frame, url, asked) {
    frame.setAttribute("data-asked", String(asked));
    return fetch(url, { credentials: "same-origin" }).then(function (answer) {
      if (!answer.ok) throw new Error("status " + answer.status);
      return answer.text();
    }).then(function (html) {
      if (frame.getAttribute("data-asked") !== String(asked)) return;     // a newer edit's answer wins
      var doc = frame.contentDocument;
      var fresh = new DOMParser().parseFromString(html, "text/html");
      if (!doc || !doc.body || doc.head.innerHTML !== fresh.head.innerHTML) {
        frame.src = url;
        return;
      }
      sync(doc.body, fresh.body, 0);
      ["dir", "lang"].forEach(function (name) {
        if (doc.documentElement.getAttribute(name) !== fresh.documentElement.getAttribute(name)) frame.src = url;
      });
    }).catch(function () {
      if (frame.getAttribute("data-asked") === String(asked)) frame.src = url;
    });
  }

  function changed() {
    var part = document.querySelector("input[name=part]:checked");
    if (part && part.value !== "preview") { refresh(); return; }
    version += 1;
    frames().forEach(function (frame) {
      var lang = frame.getAttribute("data-lang");
      var shown = document.getElementById("show-" + lang);
      if (!shown || !shown.checked) return;
      patch(frame, frame.getAttribute("data-base") + "/preview/" + lang + "?v=" + version, version);
    });
    var box = document.getElementById("frames");
    if (box) box.setAttribute("data-version", String(version));
  }

  document.addEventListener("change", function (event) {
    if (event.target.closest(".preview-tools")) refresh();
  });
  document.body.addEventListener("studio:changed", changed);

  document.body.addEventListener("htmx:afterSettle", function () {
    var target = document.getElementById("focus-target");
    var id = target && target.getAttribute("data-focus");
    if (id) {
      target.setAttribute("data-focus", "");
      var element = document.getElementById(id);
      if (element) element.focus();
    }
  });

  // Every edit says which languages the preview shows: their warnings come back with the problems.
  document.body.addEventListener("htmx:configRequest", function (event) {
    event.detail.parameters.shown = frames().filter(function (frame) {
      var box = document.getElementById("show-" + frame.getAttribute("data-lang"));
      return box && box.checked;
    }).map(function (frame) { return frame.getAttribute("data-lang"); }).join(",");
  });

  // A field's answer brings only the problem slots with something in them: empty the others first.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 200 && xhr.getResponseHeader("X-Studio-Slots") === "filled-only") {
      Array.prototype.forEach.call(document.querySelectorAll("#editor .problems"), function (slot) {
        if (slot.firstChild) slot.textContent = "";
      });
    }
  });

  // Save and Discard wait for the edits still on their way (the field left by clicking the button
  // sends its value on "change"), so the file gets the last keystrokes and no late edit lands after.
  var editing = 0;
  document.body.addEventListener("htmx:beforeRequest", function () { editing += 1; });
  document.body.addEventListener("htmx:afterRequest", function () { editing = Math.max(0, editing - 1); });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-after-edits") || editing === 0) return;
    event.preventDefault();
    (function wait() {
      if (editing === 0) HTMLFormElement.prototype.submit.call(form);
      else window.setTimeout(wait, 50);
    })();
  });

  document.body.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr.status === 401) window.location.assign("/sign-in?next=" + encodeURIComponent(window.location.pathname));
  });
})();
