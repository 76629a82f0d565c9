// Survey results: two charts from the data the page embeds (#survey-chart, json_script): recognition per
// group with its 95 % interval, and the answers to each Likert question as stacked shares. The tables
// on the page hold the same figures.
(function () {
  "use strict";
  var source = document.getElementById("survey-chart");
  if (!source || typeof window.echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var charts = [];
  function pct(v) { return v === null ? null : Math.round(v * 1000) / 10; }
  function esc(t) {  // a county writes its questions: text, never markup, in a tooltip
    return String(t).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }

  var rates = document.getElementById("chart-rates");
  if (rates) {
    rates.hidden = false;
    var c1 = window.echarts.init(rates);
    c1.setOption({
      grid: { left: 10, right: 40, top: 30, bottom: 30, containLabel: true },
      tooltip: { trigger: "axis", formatter: function (p) {  // "家长：86.4%（95%置信区间 83.1%–89.2%）"
        return p.length ? esc(data.groups[p[0].dataIndex] + "：" + data.intervals[p[0].dataIndex]) : ""; } },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: data.groups, inverse: true },
      series: [
        { type: "bar", name: data.rate_label, data: data.rates.map(pct), label: { show: true, position: "insideRight", color: "#fff", formatter: "{c}%" },
          markLine: { symbol: "none", data: [{ xAxis: pct(data.threshold), name: data.threshold_label }], label: { formatter: data.threshold_label, position: "start" } } },
        { type: "custom", name: "95% CI", data: data.groups.map(function (g, i) { return [i, pct(data.low[i]), pct(data.high[i])]; }),
          renderItem: function (params, api) {
            if (api.value(1) === null || isNaN(api.value(1))) return null;
            var a = api.coord([api.value(1), api.value(0)]), b = api.coord([api.value(2), api.value(0)]);
            return { type: "line", shape: { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }, style: { stroke: "#333", lineWidth: 2 } };
          } }
      ]
    });
    charts.push(c1);
  }
  var items = document.getElementById("chart-items");
  if (items && data.items.length) {
    items.hidden = false;
    var c2 = window.echarts.init(items);
    c2.setOption({
      grid: { left: 10, right: 20, top: items.clientWidth < 560 ? 64 : 40, bottom: 30, containLabel: true },  // a phone wraps the legend
      tooltip: { trigger: "axis", formatter: function (p) {  // the question's full text, then each answer's share
        if (!p.length) return "";
        var lines = [esc(data.item_texts[p[0].dataIndex])];
        p.forEach(function (s) { lines.push(s.marker + esc(s.seriesName) + "：" + (s.value === null ? "—" : s.value + "%")); });
        return lines.join("<br>"); } },
      legend: { top: 0 },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: data.items, inverse: true, axisLabel: { width: 150, overflow: "truncate" } },
      series: data.options.map(function (name, k) {
        return { type: "bar", stack: "all", name: name, data: data.shares.map(function (row) { return pct(row[k]); }) };
      })
    });
    charts.push(c2);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
