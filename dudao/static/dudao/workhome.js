// The work home's chart for city and province inspectors: per county, the share of schools whose census
// is approved and the share of rectification tasks done (the table beside it holds the same figures).
// Data from the page (json_script); no inline script, so the Content-Security-Policy holds.
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") return;
  var charts = [];
  Array.prototype.forEach.call(document.querySelectorAll("[data-glance]"), function (el) {
    var source = document.getElementById(el.getAttribute("data-glance"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    if (!data.counties.length) return;
    el.hidden = false;
    el.style.height = Math.max(180, 60 + data.counties.length * 44) + "px";
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      color: ["#1d4e89", "#1b7a3a"],
      legend: { top: 0, textStyle: { color: "#1f2933" } },
      grid: { left: 8, right: 52, top: 32, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v === null ? "—" : v + "%"; } },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%", color: "#1f2933" } },
      yAxis: { type: "category", inverse: true, data: data.counties, axisLabel: { color: "#1f2933", width: 96, overflow: "truncate" } },
      series: [
        { name: data.labels.census, type: "bar", data: data.census, label: { show: true, position: "right", formatter: "{c}%", color: "#1f2933" } },
        { name: data.labels.tasks, type: "bar", data: data.tasks, label: { show: true, position: "right", formatter: "{c}%", color: "#1f2933" } }
      ]
    });
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
