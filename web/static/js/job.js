// The background job's progress panel (_job_progress.html): poll its JSON every second and
// update the bar and the line; when the job has ended go to its result (or reload the page,
// which then shows the result link or the failure and a button to start again).
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box) { return; }
  var state = box.getAttribute("data-state");
  if (state === "done" || state === "failed") { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("job-bar");
  var text = document.getElementById("job-text");
  var badge = document.getElementById("job-state");
  var badges = { queued: "badge-grey", running: "badge-blue", done: "badge-green", failed: "badge-red" };

  function show(job) {
    if (job.seats_total > 0) {
      bar.max = job.seats_total;
      bar.value = job.filled;
    }
    text.textContent = job.text;
    badge.textContent = job.state_name;
    badge.className = "badge " + (badges[job.state] || "badge-grey");
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (resp) { return resp.ok ? resp.json() : null; })
      .then(function (job) {
        if (!job) { window.setTimeout(poll, 3000); return; }
        show(job);
        if (!job.finished) { window.setTimeout(poll, 1000); return; }
        if (job.next) { window.location.assign(job.next); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  window.setTimeout(poll, 1000);
}());
