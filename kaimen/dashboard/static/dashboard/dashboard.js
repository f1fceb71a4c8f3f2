// The leader dashboard's two charts: the trend of one key indicator (actual, plan, last year,
// cumulative) and how the towns and departments are lit on each key indicator. The page puts
// the data in a json_script element (the Content-Security-Policy forbids inline scripts);
// this file draws it with our own copy of ECharts. The "Trend" buttons of the key-indicator
// table switch the first chart.
(function () {
  "use strict";
  // Okabe–Ito colours for the lines (safe for red–green colour blindness); the plan is dashed
  // and last year dotted, so the lines differ by more than colour.
  var LINES = {
    actual: { color: "#0072B2", type: "solid", width: 3, symbol: 7 },
    plan: { color: "#555555", type: "dashed", width: 2, symbol: 4 },
    last_year: { color: "#E69F00", type: "dotted", width: 2, symbol: 4 }
  };
  // The lights' colours of the page; each bar also carries a pattern (ECharts decals).
  var LIGHTS = [
    { key: "red", color: "#c62828", decal: { symbol: "rect", dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: Math.PI / 4 } },
    { key: "yellow", color: "#b7791f", decal: { symbol: "triangle", symbolSize: 0.6, dashArrayX: [4, 2], dashArrayY: [4, 2] } },
    { key: "green", color: "#2e7d32", decal: { symbol: "none" } },
    { key: "unlit", color: "#c3cad3", decal: { symbol: "circle", symbolSize: 0.4, dashArrayX: [3, 3], dashArrayY: [3, 3] } }
  ];
  var data = null;
  var current = null;

  function number(value) {
    return value === null || value === undefined ? null : Number(value);
  }

  function style(holder) {
    var computed = window.getComputedStyle(holder);
    var size = parseFloat(computed.fontSize) || 14;
    return { fontFamily: computed.fontFamily, fontSize: Math.round(size * 0.85), color: "#1f2933" };
  }

  function chartIn(holder) {
    var chart = window.echarts.getInstanceByDom(holder);
    return chart || window.echarts.init(holder, null, { renderer: "canvas" });
  }

  function drawTrend(id) {
    var holder = document.getElementById("dash-trend");
    if (!holder || !data || !data.trend.length) {
      return;
    }
    var item = data.trend.filter(function (t) { return t.id === id; })[0] || data.trend[0];
    current = item.id;
    var text = style(holder);
    var chart = chartIn(holder);
    chart.clear();
    chart.setOption({
      animation: false,
      aria: { enabled: true },
      textStyle: text,
      tooltip: { trigger: "axis" },
      legend: { top: 0, right: 0, textStyle: text, itemWidth: 28 },
      grid: { left: 8, right: text.fontSize * 1.8, top: text.fontSize * 2.6, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: item.labels, boundaryGap: false, axisLabel: text },
      yAxis: { type: "value", axisLabel: text, splitLine: { lineStyle: { color: "#e4e7eb" } } },
      series: item.series.map(function (s) {
        var look = LINES[s.kind] || LINES.plan;
        return {
          name: s.name,
          type: "line",
          data: s.data.map(number),
          connectNulls: false,
          symbolSize: look.symbol,
          lineStyle: { width: look.width, type: look.type, color: look.color },
          itemStyle: { color: look.color }
        };
      })
    });
    var name = document.getElementById("dash-trend-name");
    if (name) {
      name.textContent = item.title;
    }
    document.querySelectorAll(".dash-pick").forEach(function (button) {
      button.setAttribute("aria-pressed", String(Number(button.dataset.indicator) === item.id));
    });
    holder.setAttribute("data-drawn", "1");
  }

  function drawSpread() {
    var holder = document.getElementById("dash-spread");
    if (!holder || !data || !data.spread.length) {
      return;
    }
    var text = style(holder);
    var rows = data.spread.slice().reverse(); // the first key indicator on top
    var chart = chartIn(holder);
    chart.setOption({
      animation: false,
      aria: { enabled: true, decal: { show: true } },
      textStyle: text,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, right: 0, textStyle: text },
      grid: { left: 8, right: text.fontSize * 1.8, top: text.fontSize * 2.6, bottom: 4, containLabel: true },
      xAxis: { type: "value", minInterval: 1, axisLabel: text, splitLine: { lineStyle: { color: "#e4e7eb" } } },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: text },
      series: LIGHTS.map(function (light) {
        return {
          name: data.labels[light.key],
          type: "bar",
          stack: "units",
          barMaxWidth: 22,
          itemStyle: { color: light.color, decal: light.decal },
          data: rows.map(function (r) { return r[light.key]; })
        };
      })
    });
    holder.setAttribute("data-drawn", "1");
  }

  function start() {
    var source = document.getElementById("dash-data");
    if (!source || !window.echarts) {
      return;
    }
    data = JSON.parse(source.textContent);
    drawTrend(data["default"]);
    drawSpread();
    document.querySelectorAll(".dash-pick").forEach(function (button) {
      button.addEventListener("click", function () {
        drawTrend(Number(button.dataset.indicator));
      });
    });
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () {
      ["dash-trend", "dash-spread"].forEach(function (id) {
        var holder = document.getElementById(id);
        var chart = holder && window.echarts && window.echarts.getInstanceByDom(holder);
        if (chart) {
          chart.resize();
        }
      });
      if (current !== null) {
        drawTrend(current); // font sizes follow the layout (wall screen or laptop)
      }
      drawSpread();
    }, 150);
  });
  document.addEventListener("DOMContentLoaded", start);
})();
