// As the customer's phone number is typed, show their earlier complaints, refunds and
// callbacks (only those the user may open; the others are counted), so that the agent
// sees at once that this is the customer's third call this month.
(function () {
  var phone = document.getElementById("customer_phone");
  var category = document.getElementById("category");
  var panel = document.getElementById("customer-history");
  if (!phone || !panel) { return; }
  var body = panel.querySelector(".panel-body");
  var timer = null;
  var asked = "";

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) { node.className = className; }
    // Links to earlier complaints are for the mouse: Tab goes on from the phone to the category.
    if (tag === "a") { node.tabIndex = -1; }
    return node;
  }

  function line(parts) {
    var item = document.createElement("li");
    parts.forEach(function (part) { item.appendChild(part); item.appendChild(document.createTextNode(" ")); });
    return item;
  }

  function show(data) {
    body.textContent = "";
    if (data.will_repeat) {
      var warning = text("p", panel.dataset.willRepeat + " ", "alert alert-warning");
      warning.id = "repeat-warning";
      warning.setAttribute("role", "alert");
      if (data.repeat_of) {
        var earlier = text("a", data.repeat_of.number);
        earlier.href = panel.dataset.showUrl.replace(/0$/, String(data.repeat_of.id));
        earlier.target = "_blank";
        warning.appendChild(earlier);
      }
      body.appendChild(warning);
    }
    var counts = panel.dataset.counts.replace("{total}", data.total).replace("{month}", data.this_month);
    var summary = text("p", counts);
    summary.id = "history-counts";
    if (data.hidden) {
      summary.appendChild(document.createTextNode(" "));
      summary.appendChild(text("span", panel.dataset.hidden.replace("{hidden}", data.hidden), "text-muted"));
    }
    body.appendChild(summary);
    var list = document.createElement("ul");
    list.id = "history-complaints";
    data.complaints.forEach(function (item) {
      var link = text("a", item.number);
      link.href = panel.dataset.showUrl.replace(/0$/, String(item.id));
      link.target = "_blank";
      var parts = [link, text("span", item.received_at), text("span", item.category), text("span", item.topic),
        text("span", item.status, "label label-default")];
      if (item.is_repeat) { parts.push(text("span", panel.dataset.repeat, "label label-warning")); }
      list.appendChild(line(parts));
    });
    body.appendChild(list);
    if (data.refunds.length) {
      body.appendChild(text("strong", panel.dataset.refunds));
      var refunds = document.createElement("ul");
      data.refunds.forEach(function (item) {
        refunds.appendChild(line([text("span", item.complaint), text("span", "¥" + item.amount),
          text("span", item.status), text("span", item.created_on)]));
      });
      body.appendChild(refunds);
    }
    if (data.callbacks.length) {
      body.appendChild(text("strong", panel.dataset.callbacks));
      var callbacks = document.createElement("ul");
      data.callbacks.forEach(function (item) {
        callbacks.appendChild(line([text("span", item.number), text("span", item.callback), text("span", item.note)]));
      });
      body.appendChild(callbacks);
    }
    panel.classList.toggle("hidden", data.total === 0 && !data.will_repeat);
  }

  function ask() {
    var value = phone.value.trim();
    if (!/^1\d{10}$/.test(value)) { panel.classList.add("hidden"); return; }
    var chosen = category && category.value ? category.value : "";
    if (value + "/" + chosen === asked) { return; }
    asked = value + "/" + chosen;
    var url = panel.dataset.url + "?phone=" + encodeURIComponent(value) + "&category=" + encodeURIComponent(chosen);
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { show(data.result); } })
      .catch(function () {});
  }

  phone.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 300);
  });
  if (category && window.jQuery) {
    jQuery(category).on("change", ask);  // Select2 reports its choice through jQuery
  }
  ask();
})();
