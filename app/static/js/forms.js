// Forms that help, on every page:
// - Select2's own texts (no results, searching …) in the page's language, from the
//   data-* attributes of this script's tag; set before Flask-AppBuilder builds its boxes.
// - Fields with a data-pattern are checked as they are typed: the field's message
//   shows beside it until the value fits. The server checks again on save.
(function () {
  var texts = document.currentScript.dataset;

  if (window.jQuery && jQuery.fn.select2) {
    jQuery.fn.select2.defaults.set("language", {
      errorLoading: function () { return texts.errorLoading; },
      loadingMore: function () { return texts.loadingMore; },
      noResults: function () { return texts.noResults; },
      searching: function () { return texts.searching; },
      removeAllItems: function () { return texts.removeAllItems; }
    });
  }

  // Typing right after opening a Select2 box searches it (Select2 4.0 with jQuery 3.6 does
  // not move the focus there itself, so the typed text went nowhere).
  if (window.jQuery) {
    jQuery(document).on("select2:open", function () {
      var search = document.querySelector(".select2-container--open .select2-search__field");
      if (search) { search.focus(); }
    });
  }

  function check(input) {
    var hint = document.getElementById(input.id + "-hint");
    if (!hint) {
      hint = document.createElement("p");
      hint.id = input.id + "-hint";
      hint.className = "text-danger field-hint";
      hint.setAttribute("aria-live", "polite");
      input.parentNode.insertBefore(hint, input.nextSibling);
    }
    var pattern = new RegExp("^(?:" + input.dataset.pattern + ")$");
    var wrong = input.value !== "" && !pattern.test(input.value);
    hint.textContent = wrong ? input.dataset.message : "";
    hint.hidden = !wrong;
    var cell = input.closest("td, .form-group");
    if (cell) { cell.classList.toggle("has-error", wrong); }
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("input[data-pattern]")) { check(event.target); }
  });
})();
