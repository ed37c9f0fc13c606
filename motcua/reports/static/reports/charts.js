/* Charts of the oversight pages, drawn with chart.js from the tables beside them: the table is
   the data (it reads without JavaScript and with a screen reader); the chart only draws it.
   <figure class="rp-chart" data-table="<table id>" data-series="1,2" data-kind="line|bar"> */
(function () {
  "use strict";
  var COLOURS = ["#0b3d6e", "#b3121f", "#1b6e35", "#8a5300", "#0d5ea8", "#5b3a8a"];

  function number(text) {
    // Vietnamese figures: "1.234" is 1234, "96,25%" is 96.25; "chưa đo" is no value.
    var cleaned = (text || "").replace(/%/g, "").replace(/\./g, "").replace(/,/g, ".").trim();
    if (cleaned === "" || isNaN(Number(cleaned))) return null;
    return Number(cleaned);
  }

  function draw(figure) {
    var table = document.getElementById(figure.dataset.table);
    var canvas = figure.querySelector("canvas");
    if (!table || !canvas || typeof window.Chart === "undefined") return;
    var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    var labels = rows.map(function (tr) { return tr.cells[0].textContent.trim(); });
    var series = (figure.dataset.series || "1").split(",").map(Number);
    var datasets = series.map(function (column, i) {
      return {
        label: headers[column],
        data: rows.map(function (tr) { return tr.cells[column] ? number(tr.cells[column].textContent) : null; }),
        borderColor: COLOURS[i % COLOURS.length],
        backgroundColor: COLOURS[i % COLOURS.length],
        spanGaps: true,
        tension: 0.2
      };
    });
    var percent = figure.dataset.percent === "1";
    new window.Chart(canvas, {
      type: figure.dataset.kind || "line",
      data: { labels: labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: true,
        animation: false,
        locale: "vi-VN",
        scales: { y: { beginAtZero: true, suggestedMax: percent ? 100 : undefined } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  document.querySelectorAll("figure.rp-chart").forEach(draw);
})();
