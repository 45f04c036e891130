// The lists' "go to page" box: page numbers as people count them (from 1), the list's own
// page argument as the list counts them (from 0); the other arguments (filters, order) stay.
(function () {
  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("form.jump-to-page");
    if (!form) { return; }
    event.preventDefault();
    var input = form.querySelector(".jump-page");
    var number = Number(input.value);
    var pages = Number(form.dataset.pages);
    if (!Number.isInteger(number) || number < 1 || number > pages) {
      form.querySelector(".jump-error").textContent = form.dataset.outOfRange;
      input.focus();
      return;
    }
    var params = new URLSearchParams(window.location.search);
    params.set(form.dataset.pageArgument, String(number - 1));
    window.location.search = params.toString();
  });
})();
