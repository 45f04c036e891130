// Draws the charts a page lists in <script type="application/json" id="chart-data">:
// [{id, kind: "bar" | "pie" | "line", title, labels, series: [{name, data}], stack}].
// Apache ECharts is served from this app (static/vendor/echarts), so the charts
// draw on an intranet without internet access.
(function () {
  var source = document.getElementById("chart-data");
  if (!source || !window.echarts) {
    return;
  }
  var charts = JSON.parse(source.textContent);
  var drawn = [];

  function options(chart) {
    if (chart.kind === "pie") {
      return {
        tooltip: { trigger: "item" },
        legend: { bottom: 0 },
        series: [
          {
            type: "pie",
            radius: "60%",
            name: chart.series[0].name,
            data: chart.labels.map(function (label, index) {
              return { name: label, value: chart.series[0].data[index] };
            }),
          },
        ],
      };
    }
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 20, top: 40, bottom: 60, containLabel: true },
      xAxis: { type: "category", data: chart.labels, axisLabel: { interval: 0, rotate: chart.labels.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: chart.series.map(function (series) {
        return {
          type: chart.kind,
          name: series.name,
          data: series.data,
          stack: chart.stack ? "total" : undefined,
        };
      }),
    };
  }

  charts.forEach(function (chart) {
    var element = document.getElementById(chart.id);
    if (!element) {
      return;
    }
    var instance = window.echarts.init(element);
    instance.setOption(options(chart));
    element.setAttribute("data-drawn", "true");
    drawn.push(instance);
  });
  window.addEventListener("resize", function () {
    drawn.forEach(function (instance) {
      instance.resize();
    });
  });
})();
