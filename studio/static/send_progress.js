// The progress page follows the latest send by server-sent events (studio/send_pages.py).
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.EventSource) { return; }
  var source = new EventSource(live.getAttribute("data-events"));
  function cell(text) { var td = document.createElement("td"); td.textContent = String(text); return td; }
  function show(run) {
    if (run.state === "none") {
      document.getElementById("run-state").textContent = run.waiting ? "Waiting for the send worker to start the send." : "No send of this issue has started yet.";
      return;
    }
    var words = run.state + ": " + run.done + " of " + run.total + " (" + run.percent + "%)";
    if (run.waiting && run.state !== "running") { words += "; a new send is waiting for the worker"; }
    document.getElementById("run-state").textContent = words;
    var bar = document.getElementById("bar");
    bar.value = run.percent; bar.textContent = run.percent + "%";
    var rate = Math.round(run.per_minute).toLocaleString("en-US") + " families a minute";
    if (run.seconds_left) { rate += ", about " + Math.ceil(run.seconds_left / 60) + " min left"; }
    document.getElementById("rate").textContent = rate;
    var body = document.getElementById("langs");
    while (body.firstChild) { body.removeChild(body.firstChild); }
    Object.keys(run.languages).sort().forEach(function (lang) {
      var row = run.languages[lang], tr = document.createElement("tr");
      [lang, row.planned, row.sent, row.queued, row.failed, row.in_doubt, row.rejected + row.invalid].forEach(function (v) { tr.appendChild(cell(v)); });
      body.appendChild(tr);
    });
  }
  source.onmessage = function (event) { show(JSON.parse(event.data)); };
  source.addEventListener("end", function () { source.close(); });
}());
