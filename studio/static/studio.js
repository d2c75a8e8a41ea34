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
        frame.src = frame.getAttribute("data-base") + "/" + (part ? part.value : "preview") + "/" + lang + "?v=" + version;
      }
    });
    var box = document.getElementById("frames");
    if (box) box.setAttribute("data-version", String(version));
  }

  document.addEventListener("change", function (event) {
    if (event.target.closest(".preview-tools")) refresh();
  });
  document.body.addEventListener("studio:changed", refresh);

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

  document.body.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr.status === 401) window.location.assign("/sign-in?next=" + encodeURIComponent(window.location.pathname));
  });
})();
