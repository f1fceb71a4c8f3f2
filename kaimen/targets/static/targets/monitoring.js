// The monitoring chart: actual vs plan vs last year, cumulative. The page puts the data in a
// json_script element (the Content-Security-Policy forbids inline scripts); this file draws it,
// again after every htmx swap of the board.
(function () {
  "use strict";
  var COLOURS = { actual: "#b3261e", plan: "#616e7c", last_year: "#9aa5b1" };

  function number(value) {
    return value === null || value === undefined ? null : Number(value);
  }

  function draw() {
    var holder = document.getElementById("targets-chart");
    var source = document.getElementById("targets-chart-data");
    if (!holder || !source || !window.echarts) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var previous = window.echarts.getInstanceByDom(holder);
    if (previous) {
      previous.dispose();
    }
    var chart = window.echarts.init(holder, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      title: { text: data.title, left: 0, textStyle: { fontSize: 13, fontWeight: "normal" } },
      tooltip: { trigger: "axis" },
      legend: { top: 0, right: 0 },
      grid: { left: 56, right: 16, top: 40, bottom: 28 },
      xAxis: { type: "category", data: data.labels, boundaryGap: false },
      yAxis: { type: "value", scale: false },
      series: data.series.map(function (s) {
        return {
          name: s.name,
          type: "line",
          data: s.data.map(number),
          connectNulls: false,
          symbolSize: s.kind === "actual" ? 7 : 4,
          lineStyle: {
            width: s.kind === "actual" ? 3 : 1.5,
            type: s.kind === "plan" ? "dashed" : "solid",
            color: COLOURS[s.kind]
          },
          itemStyle: { color: COLOURS[s.kind] }
        };
      })
    });
    holder.setAttribute("data-drawn", "1");
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
  window.addEventListener("resize", function () {
    var holder = document.getElementById("targets-chart");
    var chart = holder && window.echarts && window.echarts.getInstanceByDom(holder);
    if (chart) {
      chart.resize();
    }
  });
})();
