// 学位预警 (planning:seats): one chart per town, pupils (solid) and capacity (dashed) by year for each level,
// from the data the page embeds (#seats-data, json_script). The towns table under the charts holds the
// same numbers; without JavaScript the charts stay hidden.
(function () {
  "use strict";
  var source = document.getElementById("seats-data");
  if (!source || typeof window.echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var COLORS = { primary: "#1d4e89", junior: "#b06d00" };
  var charts = [];

  data.towns.forEach(function (town) {
    var el = document.getElementById(town.id);
    if (!el) return;
    var series = [];
    town.series.forEach(function (s) {
      var color = COLORS[s.level] || "#444";
      series.push({ name: s.pupils_name, type: "line", data: s.pupils, connectNulls: false,
                    symbolSize: 6, lineStyle: { color: color, width: 2 }, itemStyle: { color: color } });
      series.push({ name: s.capacity_name, type: "line", data: s.capacity, symbol: "none",
                    lineStyle: { color: color, type: "dashed", width: 1.5 }, itemStyle: { color: color } });
    });
    el.hidden = false;
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      aria: { enabled: true, label: { enabled: false }, decal: { show: false } },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, type: "scroll", itemWidth: 18, textStyle: { fontSize: 11 } },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.years.map(String), boundaryGap: false,
               axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", scale: true, axisLabel: { hideOverlap: true } },
      series: series,
    });
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
