// Width of the dashboard's bars from data-width (inline styles are refused by the CSP).
document.querySelectorAll(".progress-bar[data-width]").forEach(function (bar) {
  bar.style.width = Math.max(0, Math.min(100, Number(bar.dataset.width) || 0)) + "%";
});
