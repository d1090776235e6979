// The monthly assessment's charts (ECharts, vendored): the data comes from the page in
// <script type="application/json" id="assessment-charts"> (json_script), labels already
// translated by the server; no inline script or style (Content-Security-Policy).
(function () {
  "use strict";
  var source = document.getElementById("assessment-charts");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var labels = data.labels || {};
  var locale = (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0 ? "ZH" : "EN";
  var GRADE_COLOURS = { A: "#198754", B: "#0d6efd", C: "#0dcaf0", D: "#ffc107", E: "#dc3545" };
  var charts = [];

  function draw(name, option) {
    var element = document.querySelector('[data-chart="' + name + '"]');
    if (!element) {
      return;
    }
    var chart = echarts.init(element, null, { locale: locale, renderer: "canvas" });
    option.title = { text: labels[name] || "", left: "center", textStyle: { fontSize: 14 } };
    option.animation = false;
    chart.setOption(option);
    element.setAttribute("data-drawn", "true");
    charts.push(chart);
  }

  if (data.grades) {
    var grades = Object.keys(data.grades);
    draw("grades", {
      grid: { left: 40, right: 16, top: 48, bottom: 30 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: grades },
      yAxis: { type: "value", minInterval: 1, name: labels.officers },
      series: [{
        type: "bar",
        data: grades.map(function (grade) {
          return { value: data.grades[grade], itemStyle: { color: GRADE_COLOURS[grade] } };
        })
      }]
    });
  }
  if (data.brigades && data.brigades.length) {
    // Best at the top: a horizontal bar chart draws its first category at the bottom.
    var brigades = data.brigades.slice().reverse();
    draw("brigades", {
      grid: { left: 8, right: 40, top: 40, bottom: 20, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: {
        type: "category",
        data: brigades.map(function (b) { return b.name; }),
        axisLabel: { width: 110, overflow: "truncate" }
      },
      series: [{
        type: "bar",
        data: brigades.map(function (b) { return b.value; }),
        label: { show: true, position: "right" }
      }]
    });
  }
  if (data.trend && data.trend.length) {
    draw("trend", {
      grid: { left: 40, right: 16, top: 40, bottom: 30 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.trend.map(function (p) { return p.month; }) },
      yAxis: { type: "value", min: 0, max: 100 },
      series: [{
        type: "line",
        data: data.trend.map(function (p) { return p.value; }),
        connectNulls: false,
        label: { show: data.trend.length <= 6, position: "top" }
      }]
    });
  }
  if (data.split && data.split.length) {
    draw("split", {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { bottom: 0 },
      series: [{
        type: "pie",
        radius: ["40%", "65%"],
        percentPrecision: 0,  // whole percentages: "30.69%" did not fit beside the ring at 360 px
        label: { formatter: "{d}%" },
        data: data.split
      }]
    });
  }
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
