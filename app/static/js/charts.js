// Draws the charts a page lists in <script type="application/json" id="chart-data">:
// [{id, kind: "bar" | "pie" | "line", title, labels, series: [{name, data}], stack, colourByLabel}].
// Apache ECharts is served from this app (static/vendor/echarts), so the charts
// draw on an intranet without internet access.
(function () {
  var source = document.getElementById("chart-data");
  if (!source || !window.echarts) {
    return;
  }
  var charts = JSON.parse(source.textContent);
  var drawn = [];

  // Twenty distinct colours (ECharts' nine first), then as many more hues as a chart needs:
  // no two categories or series of a chart share a colour.
  var BASE = [
    "#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc",
    "#1f3a93", "#8c564b", "#17becf", "#bcbd22", "#7f7f7f", "#e377c2", "#2ca02c", "#d62728", "#ff7f0e",
    "#393b79", "#637939",
  ];

  function palette(count) {
    var colours = BASE.slice(0, Math.max(count, 1));
    for (var index = BASE.length; index < count; index++) {
      // The golden angle spreads further hues evenly round the wheel.
      colours.push("hsl(" + Math.round((index * 137.508) % 360) + ", 62%, " + (index % 2 ? 42 : 58) + "%)");
    }
    return colours;
  }

  var LABEL_FONT = 12;
  var PREVIOUS = "#b8b8b8";

  // Roughly how wide a label is drawn: a Chinese character is a square, Latin about half of one.
  function textWidth(text) {
    var width = 0;
    for (var index = 0; index < text.length; index++) {
      width += text.charCodeAt(index) > 0x2e80 ? LABEL_FONT : LABEL_FONT * 0.6;
    }
    return width;
  }

  function pieOptions(chart) {
    return {
      color: palette(chart.labels.length),
      tooltip: { trigger: "item", confine: true },
      legend: { bottom: 0, type: "scroll" },
      series: [
        {
          type: "pie",
          radius: "60%",
          name: chart.series[0].name,
          label: { width: 110, overflow: "truncate" },
          labelLayout: { hideOverlap: true },
          data: chart.labels.map(function (label, index) {
            return { name: label, value: chart.series[0].data[index] };
          }),
        },
      ],
    };
  }

  // Labels that would not fit side by side go one a row down the left, on a horizontal chart
  // (a trend over days keeps its time axis across and shows the labels that fit).
  function isHorizontal(chart, width) {
    var needed = chart.labels.reduce(function (sum, label) {
      return sum + textWidth(label) + LABEL_FONT;
    }, 0);
    return chart.kind === "bar" && !chart.stack && needed > width * 0.8;
  }

  function barOptions(chart, width) {
    var colours = palette(chart.colourByLabel ? chart.labels.length : chart.series.length);
    var horizontal = isHorizontal(chart, width);
    var categories = {
      type: "category",
      data: chart.labels,
      inverse: horizontal,
      axisLabel: {
        interval: 0,
        hideOverlap: true,
        width: horizontal ? Math.round(width * 0.35) : Math.max(Math.floor(width / Math.max(chart.labels.length, 1)) - 4, 24),
        overflow: "truncate",
      },
    };
    var values = { type: "value", minInterval: 1 };
    return {
      color: colours,
      tooltip: { trigger: "axis", confine: true },
      legend: { top: 0, type: "scroll" },
      grid: { left: 10, right: 20, top: 40, bottom: 10, containLabel: true },
      xAxis: horizontal ? values : categories,
      yAxis: horizontal ? categories : values,
      series: chart.series.map(function (series, position) {
        var options = {
          type: chart.kind,
          name: series.name,
          data: series.data,
          stack: chart.stack ? "total" : undefined,
        };
        if (chart.colourByLabel) {
          // Each category its own colour this month; the month before in grey beside it.
          if (position === 0) {
            options.data = series.data.map(function (value, index) {
              return { value: value, itemStyle: { color: colours[index] } };
            });
          } else {
            options.itemStyle = { color: PREVIOUS };
          }
        }
        return options;
      }),
    };
  }

  charts.forEach(function (chart) {
    var element = document.getElementById(chart.id);
    if (!element) {
      return;
    }
    var width = element.clientWidth || 400;
    if (chart.kind !== "pie" && isHorizontal(chart, width)) {
      // A row per label: the chart grows rather than crowding them.
      element.style.height = Math.max(300, chart.labels.length * 24 * chart.series.length + 80) + "px";
    }
    var instance = window.echarts.init(element);
    instance.setOption(chart.kind === "pie" ? pieOptions(chart) : barOptions(chart, width));
    element.setAttribute("data-drawn", "true");
    drawn.push(instance);
  });
  window.addEventListener("resize", function () {
    drawn.forEach(function (instance) {
      instance.resize();
    });
  });
})();
