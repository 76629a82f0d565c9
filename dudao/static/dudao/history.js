// The school page's history charts (overview/school.html): one line chart per level from the
// JSON in #history-data, drawn by ECharts; a static file so the Content-Security-Policy needs no inline script.
(function () {
  var data = JSON.parse(document.getElementById("history-data").textContent);
  document.querySelectorAll(".history-chart").forEach(function (box) {
    var part = data[box.dataset.level];
    var series = Object.keys(part.series).map(function (code) {
      return {name: code, type: "line", data: part.series[code]};
    });
    if (series.length) series[0].markLine = {silent: true, symbol: "none", label: {show: false}, data: [{yAxis: 100}]};
    var chart = echarts.init(box);
    chart.setOption({tooltip: {trigger: "axis"}, legend: {type: "scroll", top: 0},
      grid: {left: 48, right: 16, top: 36, bottom: 28},
      xAxis: {type: "category", data: part.years}, yAxis: {type: "value", axisLabel: {formatter: "{value}%"}},
      series: series});
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
