// Balance view (均衡分析): draws the charts from the data the page embeds (#balance-data, json_script).
// Every figure and text comes from the server; the tables under each chart hold the same numbers.
(function () {
  "use strict";
  var source = document.getElementById("balance-data");
  if (!source || typeof window.echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var labels = data.labels;
  var encode = window.echarts.format.encodeHTML;
  var charts = [];
  var MET = { true: ["circle", "#1b7a3a"], false: ["triangle", "#b42318"], null: ["rect", "#7b8794"] };

  function show(el, option) {
    el.hidden = false;
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }

  // A spread within a row so that schools with the same value stay apart (the same on every load).
  function jitter(i) {
    return (((i * 0.6180339887) % 1) - 0.5) * 0.5;
  }

  function size(students, largest) {
    return 6 + 14 * Math.sqrt(students / Math.max(largest, 1));
  }

  function strip(el, ind) {
    var largest = Math.max.apply(null, ind.points.map(function (p) { return p.students; }).concat([1]));
    // The two labels sit above the chart (the axis is inverted: "start" is the top), each on the outer
    // side of its line, so they never overlap.
    var meanRight = ind.threshold === null || ind.mean >= ind.threshold;
    function line(x, text, color, type, right) {
      return { xAxis: x, lineStyle: { type: type, color: color },
               label: { formatter: text, position: "start", color: color, align: right ? "left" : "right",
                        distance: [right ? 4 : -4, 6] } };
    }
    var lines = [line(ind.mean, labels.mean + " " + ind.mean_text, "#1d4e89", "solid", meanRight)];
    if (ind.threshold !== null) {
      lines.push(line(ind.threshold, labels.threshold + " " + ind.threshold_text, "#b42318", "dashed", !meanRight));
    }
    show(el, {
      animation: false,
      aria: { enabled: true, label: { enabled: false }, decal: { show: false } },
      grid: { left: 8, right: 24, top: 30, bottom: 28, containLabel: true },
      tooltip: {
        trigger: "item",
        formatter: function (item) {
          var p = item.data.point;
          var verdict = p.met === true ? labels.met : p.met === false ? labels.unmet : labels.undetermined;
          return encode(p.name) + "<br>" + encode(p.text) + " " + encode(ind.unit) + "<br>" +
            encode(labels.students) + " " + p.students + " · " + encode(verdict);
        },
      },
      xAxis: { type: "value", scale: true, name: ind.unit, nameLocation: "middle", nameGap: 24,
               axisLabel: { hideOverlap: true } },
      yAxis: [
        { type: "category", data: data.rows, inverse: true, axisTick: { show: false } },
        { type: "value", min: -0.5, max: data.rows.length - 0.5, inverse: true, show: false },
      ],
      series: [{
        type: "scatter",
        yAxisIndex: 1,
        data: ind.points.map(function (p, i) {
          var look = MET[String(p.met)];
          return {
            value: [p.value, p.row + jitter(i)], point: p, name: p.name, symbol: look[0],
            symbolSize: size(p.students, largest), itemStyle: { color: look[1], opacity: 0.75 },
          };
        }),
        markLine: { silent: true, symbol: "none", data: lines },
      }],
    });
  }

  function bars(el, group) {
    // On a phone a legend of more than two groups takes two lines: leave it room above the bars.
    var top = group.series.length > 2 && el.parentElement.clientWidth < 560 ? 64 : 36;
    show(el, {
      animation: false,
      aria: { enabled: true, label: { enabled: false }, decal: { show: true } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: top, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var i = items[0].dataIndex;
          return encode(group.codes[i]) + " " + encode(group.label || labels.share_met) + "<br>" + items.map(function (item) {
            return item.marker + encode(item.seriesName) + " " + encode(group.series[item.seriesIndex].texts[i]);
          }).join("<br>");
        },
      },
      xAxis: { type: "category", data: group.codes },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: group.series.map(function (s) { return { type: "bar", name: s.label, data: s.values }; }),
    });
  }

  data.indicators.forEach(function (ind) {
    var el = document.getElementById("chart-" + ind.code);
    if (el) strip(el, ind);
  });
  data.groups.forEach(function (group) {
    var el = document.getElementById(group.id);
    if (el) bars(el, group);
  });

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
  });
})();
