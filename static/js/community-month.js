// A community's last 12 months as a small chart (ECharts, vendored), drawn over the table that
// carries the same figures without JavaScript. The data comes from
// <script type="application/json" id="community-month-chart"> (json_script), labels translated
// by the server; no inline script or style (Content-Security-Policy).
(function () {
  "use strict";
  var source = document.getElementById("community-month-chart");
  var element = document.querySelector("[data-month-chart]");
  if (!source || !element || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var locale = (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0 ? "ZH" : "EN";
  element.classList.add("is-drawn");
  var chart = echarts.init(element, null, { locale: locale, renderer: "canvas" });
  var series = data.series.map(function (s) {
    return { name: s.name, type: "bar", data: s.data };
  });
  series.push({
    name: data.satisfaction.name,
    type: "line",
    yAxisIndex: 1,
    data: data.satisfaction.data,
    connectNulls: false
  });
  chart.setOption({
    animation: false,
    grid: { left: 36, right: 40, top: 48, bottom: 24 },
    legend: { top: 0, type: "scroll" },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.months },
    yAxis: [
      { type: "value", minInterval: 1 },
      { type: "value", min: 0, max: 100, splitLine: { show: false } }
    ],
    series: series
  });
  element.setAttribute("data-drawn", "true");
  window.addEventListener("resize", function () { chart.resize(); });
})();
