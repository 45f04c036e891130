// While an agent types a topic, offer the topics already used for the same problem
// and similar recent complaints, so that the same content gets the same topic (§4).
(function () {
  var texts = document.currentScript.dataset;
  var topic = document.getElementById("topic");
  var category = document.getElementById("category");
  if (!topic || !category) { return; }
  var list = document.createElement("datalist");
  list.id = "topic-suggestions";
  topic.setAttribute("list", list.id);
  topic.parentNode.appendChild(list);
  var similar = document.createElement("div");
  similar.id = "similar-complaints";
  similar.className = "help-block";
  topic.parentNode.appendChild(similar);
  var joined = document.createElement("div");
  joined.id = "joined-incident";
  joined.className = "help-block text-warning";
  topic.parentNode.appendChild(joined);
  var timer = null;

  function show(data) {
    list.innerHTML = "";
    data.topics.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.topic;
      option.textContent = item.topic + " (" + item.count + ")";
      list.appendChild(option);
    });
    similar.textContent = data.similar.length ? texts.similar + " " : "";
    data.similar.forEach(function (item) {
      var link = document.createElement("a");
      link.href = "/complaints/show/" + item.id;
      link.textContent = item.number + " " + item.topic;
      link.target = "_blank";
      similar.appendChild(link);
      similar.appendChild(document.createTextNode(" "));
      if (item.incident) {
        // One click: the same topic is the same content, so the complaint joins the incident on saving.
        var join = document.createElement("button");
        join.type = "button";
        join.className = "btn btn-xs btn-warning join-incident";
        join.dataset.incident = item.incident;
        join.textContent = texts.join.replace("{id}", item.incident);
        join.addEventListener("click", function () {
          topic.value = item.topic;
          joined.textContent = texts.joined.replace("{id}", item.incident);
        });
        similar.appendChild(join);
        similar.appendChild(document.createTextNode(" "));
      }
    });
  }

  function ask() {
    var value = topic.value.trim();
    if (!value || !category.value) { return; }
    var url = "/api/v1/complaint/suggest?category=" + encodeURIComponent(category.value) +
      "&topic=" + encodeURIComponent(value);
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { topics: [], similar: [] }; })
      .then(show)
      .catch(function () {});
  }

  topic.addEventListener("input", function () {
    joined.textContent = "";
    clearTimeout(timer);
    timer = setTimeout(ask, 300);
  });
})();
