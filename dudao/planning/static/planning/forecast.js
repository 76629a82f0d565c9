// The forecast page (入学预测): one chart per area from #forecast-data (json_script) — per level the
// actual enrolment, the forecast and its interval as a band. The tables on the page hold the same figures.
(function () {
  "use strict";
  var source = document.getElementById("forecast-data");
  if (!source || typeof window.echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var COLORS = ["#1d4e89", "#b45309"];
  var charts = [];

  function band(level, color, stack) {
    var base = level.low.map(function (v) { return v; });
    var width = level.high.map(function (v, i) { return v === null || level.low[i] === null ? null : v - level.low[i]; });
    return [
      { name: level.label + " " + data.labels.band, type: "line", stack: stack, data: base, symbol: "none",
        lineStyle: { opacity: 0 }, tooltip: { show: false }, silent: true },
      { name: level.label + " " + data.labels.band, type: "line", stack: stack, data: width, symbol: "none",
        lineStyle: { opacity: 0 }, areaStyle: { color: color, opacity: 0.15 }, tooltip: { show: false }, silent: true },
    ];
  }

  Object.keys(data.charts).forEach(function (id) {
    var el = document.getElementById(id);
    if (!el) return;
    var spec = data.charts[id];
    var series = [];
    spec.levels.forEach(function (level, i) {
      var color = COLORS[i % COLORS.length];
      series = series.concat(band(level, color, "band" + i));
      series.push({ name: level.label + " " + data.labels.actual, type: "line", data: level.actual,
                    itemStyle: { color: color }, lineStyle: { width: 2 } });
      series.push({ name: level.label + " " + data.labels.forecast, type: "line", data: level.forecast,
                    itemStyle: { color: color }, lineStyle: { type: "dashed", width: 2 } });
    });
    el.hidden = false;
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      aria: { enabled: true, label: { enabled: false }, decal: { show: false } },
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0, data: series.filter(function (s) { return !s.stack; }).map(function (s) { return s.name; }) },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.years, boundaryGap: false },
      yAxis: { type: "value", min: 0 },
      series: series,
    });
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
