/* Background jobs' progress (dudao.jobs): every element with data-status-url (a job's card on the jobs
 * page, a job's page, the city/province view's "updating" card) asks its job's JSON status every two
 * seconds and moves its <progress data-role="bar">, "done / total" (data-role="count"), state
 * (data-role="state") and error (data-role="error"). When the job ends the page is loaded again, so it
 * shows the stored results. Without JavaScript the page shows the progress as it was when it was loaded.
 */
(function () {
  "use strict";
  var EVERY = 2000;

  function set(card, role, apply) {
    var node = card.querySelector('[data-role="' + role + '"]');
    if (node) apply(node);
  }

  function poll(card) {
    fetch(card.getAttribute("data-status-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        set(card, "bar", function (bar) { bar.max = Math.max(data.total, 1); bar.value = data.done; });
        set(card, "count", function (node) { node.textContent = data.done + " / " + data.total; });
        set(card, "state", function (node) { node.textContent = data.label; });
        set(card, "error", function (node) { node.hidden = !data.error; });
        set(card, "error-text", function (node) { node.textContent = data.error; });
        if (data.active) {
          window.setTimeout(function () { poll(card); }, EVERY);
        } else {
          window.location.reload();
        }
      }, function () { window.setTimeout(function () { poll(card); }, EVERY * 5); });
  }

  if (!window.fetch) return;
  Array.prototype.forEach.call(document.querySelectorAll("[data-status-url]"), function (card) {
    window.setTimeout(function () { poll(card); }, EVERY);
  });
})();
