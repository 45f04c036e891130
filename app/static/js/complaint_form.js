// The complaint form follows the call: the customer's history sits beside the phone
// number (not far below the form), and the fields of major complaints show only when
// the severity is major (hidden, they are also out of the Tab order).
(function () {
  var majorFields = (document.currentScript.dataset.majorFields || "").split(" ").filter(Boolean);
  var phone = document.getElementById("customer_phone");
  var panel = document.getElementById("customer-history");
  if (phone && panel) {
    panel.classList.add("history-beside-phone");
    phone.closest("td, .form-group").appendChild(panel);
  }

  function row(name) {
    var field = document.getElementById(name);
    return field ? field.closest("tr, .form-group") : null;
  }

  function showMajorFields() {
    var severity = document.getElementById("severity");
    var major = severity && severity.value === "major";
    majorFields.forEach(function (name) {
      var line = row(name);
      if (line) { line.hidden = !major; }
    });
  }

  if (window.jQuery) {
    jQuery("#severity").on("change", showMajorFields);  // Select2 reports its choice through jQuery
  }
  showMajorFields();
})();
