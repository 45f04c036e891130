// The complaint page's deadlines count down live: each cell with a data-due time
// says how long is left (or how long overdue), in the page's language, whose
// phrases come from the data-* attributes of the #deadlines table.
(function () {
  var table = document.getElementById("deadlines");
  if (!table) { return; }
  var texts = table.dataset;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_whole, name) { return values[name]; });
  }

  function render(cell) {
    var minutes = Math.floor((Date.parse(cell.dataset.due) - Date.now()) / 60000);
    var amount = Math.abs(minutes);
    var time = amount >= 1440
      ? fill(texts.days, { days: Math.floor(amount / 1440), hours: Math.floor((amount % 1440) / 60) })
      : fill(texts.hours, { hours: Math.floor(amount / 60), minutes: amount % 60 });
    cell.textContent = fill(minutes >= 0 ? texts.left : texts.overdue, { time: time });
    cell.parentNode.classList.toggle("danger", minutes < 0);
  }

  function update() {
    table.querySelectorAll("[data-due]").forEach(render);
  }

  update();
  setInterval(update, 1000);
})();
