// The review screen: each proposed ledger item is linked to its words in the source text.
// Hovering or focusing one highlights the other; clicking scrolls the other into view.
// A static file: the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";

  function pair(id) {
    return {
      row: document.getElementById("item-" + id),
      span: document.getElementById("src-" + id),
    };
  }

  function clear() {
    document.querySelectorAll(".linked").forEach(function (el) {
      el.classList.remove("linked");
    });
  }

  function mark(id) {
    clear();
    var p = pair(id);
    if (p.row) p.row.classList.add("linked");
    if (p.span) p.span.classList.add("linked");
    return p;
  }

  function itemOf(target) {
    var el = target.closest ? target.closest("[data-item]") : null;
    // Clicks on the row's own controls (buttons, links, forms) keep their meaning.
    if (!el || target.closest("button, a, input, select, textarea, summary, form")) return null;
    return el;
  }

  document.addEventListener("mouseover", function (event) {
    var el = itemOf(event.target);
    if (el) mark(el.getAttribute("data-item"));
  });
  document.addEventListener("focusin", function (event) {
    var el = itemOf(event.target);
    if (el) mark(el.getAttribute("data-item"));
  });
  // Scroll only the source pane (it has its own scroll bar), so the row clicked stays in view.
  function showInSource(span) {
    var pane = span.closest(".source-pane");
    if (!pane || pane.scrollHeight <= pane.clientHeight) {
      span.scrollIntoView({ block: "center" });
      return;
    }
    var top = span.getBoundingClientRect().top - pane.getBoundingClientRect().top;
    pane.scrollTop += top - pane.clientHeight / 3;
  }

  document.addEventListener("click", function (event) {
    var el = itemOf(event.target);
    if (!el) return;
    var p = mark(el.getAttribute("data-item"));
    if (el.classList.contains("src-seg")) {
      if (p.row) p.row.scrollIntoView({ block: "center" });
    } else if (p.span) {
      showInSource(p.span);
    }
  });
})();
