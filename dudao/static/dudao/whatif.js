// What-if (模拟测算): recompute as the figures are typed. The form works without this script (it
// posts and the page renders the same result); with it, a debounced JSON POST to the endpoint in
// data-endpoint returns the result block as the server renders it, which replaces #whatif-output.
(function () {
  "use strict";
  var pick = document.getElementById("whatif-pick");
  if (pick) {
    pick.querySelector("select").addEventListener("change", function () {
      if (this.value) pick.submit();
    });
  }
  var form = document.getElementById("whatif-form");
  if (!form) return;
  var output = document.getElementById("whatif-output");
  var errorBox = document.getElementById("whatif-error");
  var status = document.getElementById("whatif-status");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var school = form.querySelector("input[name=school]").value;
  var inputs = Array.prototype.slice.call(form.querySelectorAll(".figures input"));
  var timer = null;
  var inflight = null;

  function values() {
    var out = {};
    inputs.forEach(function (input) { out[input.name] = input.value; });
    return out;
  }

  function fail(message, field) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    status.textContent = "";
    inputs.forEach(function (input) {
      if (input.name === field) input.setAttribute("aria-invalid", "true");
    });
  }

  function compute() {
    if (inflight) inflight.abort();
    inflight = new AbortController();
    status.textContent = form.dataset.busy;
    fetch(form.dataset.endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify({ school: school, values: values() }),
      signal: inflight.signal,
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") !== 0) throw new Error(form.dataset.failed);
        return response.json();
      })
      .then(function (body) {
        inputs.forEach(function (input) {
          input.removeAttribute("aria-invalid");
          input.parentNode.classList.toggle("changed", input.value.trim() !== input.defaultValue.trim());
        });
        if (!body.ok) {
          fail(body.error.message, body.error.field);
          return;
        }
        errorBox.hidden = true;
        output.innerHTML = body.html;
        status.textContent = form.dataset.done;
      })
      .catch(function (error) {
        if (error.name !== "AbortError") fail(form.dataset.failed);
      });
  }

  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(compute, 350);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    compute();
  });
})();
