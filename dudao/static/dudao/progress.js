/* Long operations with visible progress, as progressive enhancement (each works without JavaScript).
 *
 * 1. "Evaluate all" on the city/province view (#evaluate): one POST per county to its JSON endpoint,
 *    one after another; <progress id="evaluate-progress"> and the live text "3 / 20" (#evaluate-status)
 *    follow, each county's line says how it went, and its rows in #county-table and #cv-table are
 *    replaced by the server's new rows. Without JavaScript each county has its own form button.
 * 2. The census upload (form[data-upload-progress]): sent with XMLHttpRequest so the bytes sent show
 *    in <progress id="upload-bar">, then "validating…" while the server checks the file; the page the
 *    server answers with (the same page a plain form post gets) replaces the page's main content, or,
 *    when the server redirected (to the import's preview), the browser goes to that page.
 *    Without JavaScript the form posts normally; the server does exactly the same either way.
 */
(function () {
  "use strict";

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) { return String(values[key]); });
  }

  function csrfToken(root) {
    var input = (root || document).querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  // --- 1. evaluate every county that needs it ------------------------------------------------

  function replaceRows(data) {
    Object.keys(data.rows || {}).forEach(function (tableId) {
      var table = document.getElementById(tableId);
      var old = table ? table.querySelector('tbody tr[data-county="' + data.county + '"]') : null;
      if (!old) return;
      var template = document.createElement("template");
      template.innerHTML = data.rows[tableId];
      var row = template.content.querySelector("tr");
      if (row) old.replaceWith(row);
    });
  }

  function evaluateOne(item, layout, text) {
    var body = new FormData();
    body.append("layout", layout);
    return fetch(item.getAttribute("data-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken(item) }
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("json") >= 0;
      return (json ? response.json() : Promise.resolve(null)).then(function (data) {
        if (response.ok && data && data.ok) {
          replaceRows(data);
          var word = data.passed === true ? text.passed : data.passed === false ? text.failed : text.undetermined;
          return { ok: true, message: word };
        }
        return { ok: false, message: text.error + (data && data.error ? data.error : response.status + " " + response.statusText) };
      });
    }, function () {
      return { ok: false, message: text.error + text.network };
    });
  }

  function setUpEvaluate(section) {
    var textNode = document.getElementById("evaluate-text");
    var text = textNode ? JSON.parse(textNode.textContent) : {};
    var box = section.querySelector(".evaluate-all");
    var button = document.getElementById("evaluate-all");
    var bar = document.getElementById("evaluate-progress");
    var status = document.getElementById("evaluate-status");
    if (!box || !button || !bar || !status || !window.fetch) return;
    box.hidden = false;
    button.addEventListener("click", function () {
      var items = Array.prototype.slice.call(section.querySelectorAll("#evaluate-list li[data-url]:not(.done)"));
      if (!items.length) return;
      var done = 0, ok = 0, failed = 0;
      button.disabled = true;
      bar.max = items.length;
      bar.value = 0;
      status.textContent = "0 / " + items.length;
      var chain = Promise.resolve();
      items.forEach(function (item) {
        chain = chain.then(function () {
          var result = item.querySelector(".evaluate-result");
          var own = item.querySelector("button");
          if (own) own.disabled = true;
          result.textContent = format(text.running, { name: item.getAttribute("data-name") });
          return evaluateOne(item, section.getAttribute("data-layout"), text).then(function (outcome) {
            done += 1;
            if (outcome.ok) { ok += 1; item.classList.add("done"); } else { failed += 1; item.classList.add("failed"); if (own) own.disabled = false; }
            result.textContent = outcome.message;
            result.className = "evaluate-result" + (outcome.ok ? "" : " bad");
            bar.value = done;
            status.textContent = done + " / " + items.length;
          });
        });
      });
      chain.then(function () {
        status.textContent = items.length + " / " + items.length + " · " + format(text.done, { ok: ok, failed: failed });
        var reload = document.createElement("a");
        reload.href = window.location.href;
        reload.textContent = text.reload;
        status.appendChild(document.createTextNode(" "));
        status.appendChild(reload);
        button.disabled = !section.querySelector("#evaluate-list li[data-url]:not(.done)");
      });
    });
  }

  // --- 2. census upload ---------------------------------------------------------------------

  function showResponse(xhr, form) {
    var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
    var main = doc.querySelector("main");
    var current = document.querySelector("main");
    var target = new URL(form.action || window.location.href, window.location.href).href;
    if (xhr.status === 200 && xhr.responseURL && xhr.responseURL !== target) {
      window.location.replace(xhr.responseURL);  // redirected (to the import's preview): go there
      return;
    }
    if (xhr.status === 200 && main && current && xhr.responseURL === target) {
      current.replaceWith(main);
      document.title = doc.title;
      var heading = main.querySelector("section.card h2, .messages li") || main.querySelector("h1");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      return;
    }
    document.open();
    document.write(xhr.responseText);
    document.close();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-upload-progress]") || !window.FormData) return;
    var box = document.getElementById("upload-progress");
    var bar = document.getElementById("upload-bar");
    var status = document.getElementById("upload-status");
    if (!box || !bar || !status) return;
    event.preventDefault();
    var button = form.querySelector('button[type="submit"]');
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      bar.max = e.total;
      bar.value = e.loaded;
      status.textContent = box.getAttribute("data-uploading") + " " + Math.floor((100 * e.loaded) / e.total) + "%";
    });
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value");  // indeterminate while the server checks the file
      status.textContent = box.getAttribute("data-validating");
    });
    xhr.addEventListener("load", function () { showResponse(xhr, form); });
    xhr.addEventListener("error", function () {
      status.textContent = box.getAttribute("data-failed");
      if (button) button.disabled = false;
    });
    box.hidden = false;
    bar.value = 0;
    status.textContent = box.getAttribute("data-uploading") + " 0%";
    if (button) button.disabled = true;
    xhr.send(new FormData(form));
  });

  var section = document.getElementById("evaluate");
  if (section) setUpEvaluate(section);
})();
