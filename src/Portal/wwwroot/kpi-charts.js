// Draws every <canvas data-kpi-chart> with chart.js: titled axes with units, no animation, legend shown. The values are
// also in the table beside each chart. Charts inside content swapped by htmx are drawn again after the swap.
(function () {
  var palette = ['#0d6efd', '#198754', '#dc3545', '#fd7e14', '#6f42c1'];
  function draw(root) {
    if (typeof Chart === 'undefined') return;
    root.querySelectorAll('canvas[data-kpi-chart]').forEach(function (canvas) {
      var spec = JSON.parse(canvas.getAttribute('data-kpi-chart'));
      var existing = Chart.getChart(canvas);
      if (existing) existing.destroy();
      new Chart(canvas, {
        type: spec.type,
        data: {
          labels: spec.labels,
          datasets: spec.datasets.map(function (d, i) {
            return { label: d.label, data: d.data, borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length], spanGaps: false, pointRadius: 2 };
          })
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          plugins: { legend: { display: true, position: 'bottom' } },
          scales: {
            x: { title: { display: true, text: spec.xTitle }, ticks: { maxRotation: 0, autoSkip: true } },
            y: { beginAtZero: true, suggestedMax: spec.yMax === null ? undefined : spec.yMax, max: spec.yMax === null ? undefined : spec.yMax, title: { display: true, text: spec.yTitle } }
          }
        }
      });
    });
  }
  document.addEventListener('DOMContentLoaded', function () { draw(document); });
  document.addEventListener('htmx:afterSettle', function () { draw(document); });
})();
