// The review pages' keyboard (no inline scripts): Ctrl+Enter / Cmd+Enter approves and goes to the
// next block (or the next string of a chrome catalog); the field to work on gets the focus.
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var form = event.target.closest ? event.target.closest("form") : null;
    var button = (form && form.querySelector("#approve-next, .approve-next")) || document.getElementById("approve-next");
    if (!button) return;
    event.preventDefault();
    button.form.requestSubmit(button);
  });

  document.addEventListener("DOMContentLoaded", function () {
    var target = document.querySelector("[data-focus]");
    if (!target && window.location.hash.indexOf("#entry-") === 0) {
      var entry = document.getElementById(window.location.hash.slice(1));
      target = entry && entry.querySelector("input[type=text]");
    }
    if (!target) target = document.querySelector(".problem") ? document.querySelector(".review-field .problem") : null;
    if (target && target.classList && target.classList.contains("problem")) {
      target = target.closest(".field").querySelector("textarea, input");
    }
    if (!target) target = document.querySelector("#review-form textarea, #review-form input[type=text]");
    if (target) target.focus();

    // The preview opens at the block under review. Not by a #fragment in its address: following
    // one scrolls the page too (on a phone, away from the fields, down to the preview).
    var frame = document.querySelector("iframe[data-block]");
    function showBlock() {
      var doc = frame.contentDocument, block = doc && doc.getElementById(frame.getAttribute("data-block"));
      if (block) frame.contentWindow.scrollTo(0, block.getBoundingClientRect().top + frame.contentWindow.scrollY - 8);
    }
    if (frame) {
      frame.addEventListener("load", showBlock);
      if (frame.contentDocument && frame.contentDocument.readyState === "complete") showBlock();
    }
  });
})();
