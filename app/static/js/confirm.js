// Asks before a form is sent when the form, or the button that sends it, has a
// data-confirm question. The Content-Security-Policy refuses inline handlers
// such as onclick="return confirm(...)", so pages use this instead.
document.addEventListener(
  "submit",
  function (event) {
    var button = event.submitter;
    var question = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true
);
