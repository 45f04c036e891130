// A button with data-copy="<element id>" copies that element's text (a complaint's
// number, read to the customer or pasted into a message) and says it did.
(function () {
  function copied(button) {
    var label = button.dataset.copied;
    if (label) { button.lastChild.textContent = " " + label; }
  }

  function fallback(text, button) {
    var area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    try { if (document.execCommand("copy")) { copied(button); } } finally { area.remove(); }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) { return; }
    var source = document.getElementById(button.dataset.copy);
    if (!source) { return; }
    var text = source.textContent.trim();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { copied(button); }, function () { fallback(text, button); });
    } else {
      fallback(text, button);
    }
  });
})();
