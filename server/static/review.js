// factgraph review pages (issue #12). Loaded from 'self' only (the CSP allows no inline script).
// - the review queue: j / k move between the claims, Enter opens the one in focus;
// - an article page: selecting words of the text fills the offsets of the "add a claim" form.
(function () {
  "use strict";

  function queueKeys() {
    var links = Array.prototype.slice.call(document.querySelectorAll("a.queue-link"));
    if (!links.length) return;
    document.addEventListener("keydown", function (e) {
      var tag = (e.target && e.target.tagName) || "";
      if (e.altKey || e.ctrlKey || e.metaKey || /^(INPUT|SELECT|TEXTAREA)$/.test(tag)) return;
      if (e.key !== "j" && e.key !== "k") return;
      var at = links.indexOf(document.activeElement);
      var next = e.key === "j" ? Math.min(at + 1, links.length - 1) : Math.max(at - 1, 0);
      links[next].focus();
      e.preventDefault();
    });
  }

  // the character offset of (node, offset) within root's text
  function offsetIn(root, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(root);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function addClaimSelection() {
    var section = document.querySelector(".article-text[data-offset]");
    var text = section && section.querySelector(".text");
    var form = document.querySelector("form.add-claim");
    if (!text || !form) return;
    var base = parseInt(section.getAttribute("data-offset"), 10) || 0;
    document.addEventListener("selectionchange", function () {
      var sel = window.getSelection();
      if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
      var r = sel.getRangeAt(0);
      if (!text.contains(r.startContainer) || !text.contains(r.endContainer)) return;
      var start = offsetIn(text, r.startContainer, r.startOffset);
      var end = offsetIn(text, r.endContainer, r.endOffset);
      form.elements.start.value = base + start;
      form.elements.end.value = base + end;
      var shown = form.querySelector(".selection");
      if (shown) shown.textContent = r.toString();
    });
  }

  queueKeys();
  addClaimSelection();
})();
