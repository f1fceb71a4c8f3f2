// Searchable unit pickers: every select[data-unit-picker] becomes a Tom Select list that keeps
// the <optgroup>s by kind (部门 / 镇街 / 专班). Without this file the plain <select> still works.
(function () {
  "use strict";
  function enhance(root) {
    if (typeof window.TomSelect !== "function" || !root.querySelectorAll) {
      return;
    }
    root.querySelectorAll("select[data-unit-picker]").forEach(function (select) {
      if (select.tomselect) {
        return;
      }
      var multiple = select.multiple;
      new window.TomSelect(select, {
        plugins: multiple ? ["remove_button"] : [],
        maxOptions: null,
        allowEmptyOption: !multiple,
        hidePlaceholder: true,
        placeholder: select.getAttribute("data-placeholder") || "输入单位名称搜索",
        searchField: ["text"],
        render: {
          no_results: function () {
            return '<div class="no-results">没有名称相符的单位</div>';
          },
        },
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
  });
  // Rows edited in place on the review page arrive through htmx.
  document.addEventListener("htmx:load", function (event) {
    enhance(event.target);
  });
})();
