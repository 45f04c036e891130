// The progress bar of an import or an export: polls the job's status until it has finished;
// an export's status gives the file's address when it is written.
// Loaded as a file under the CSP nonce; the page carries no inline script.
(function () {
  var box = document.getElementById("import-progress");
  if (!box) {
    return;
  }
  var bar = document.getElementById("import-bar");
  var message = document.getElementById("import-message");
  var done = document.getElementById("import-done");
  var POLL_MS = 1000;

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json();
      })
      .then(function (status) {
        bar.max = status.total || 1;
        bar.value = status.done;
        message.textContent = status.message;
        if (status.state === "finished" || status.state === "failed" || status.state === "refused") {
          if (status.state === "finished") {
            bar.value = bar.max;
          }
          var download = document.getElementById("import-download");
          if (download && status.download_url) {
            download.href = status.download_url;
            download.hidden = false;
          }
          box.dataset.state = status.state;
          done.hidden = false;
        } else {
          window.setTimeout(poll, POLL_MS);
        }
      })
      .catch(function () {
        window.setTimeout(poll, POLL_MS * 5);
      });
  }
  poll();
})();
