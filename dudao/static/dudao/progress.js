/* Long operations with visible progress, as progressive enhancement (each works without JavaScript).
 *
 * (The city/province view's "evaluate all" is one background job now: dudao/jobs, jobs.js.)
 * The census upload (form[data-upload-progress]): sent with XMLHttpRequest so the bytes sent show
 *    in <progress id="upload-bar">, then "validating…" while the server checks the file; the page the
 *    server answers with (the same page a plain form post gets) replaces the page's main content, or,
 *    when the server redirected (to the import's preview), the browser goes to that page.
 *    Without JavaScript the form posts normally; the server does exactly the same either way.
 */
(function () {
  "use strict";

  // --- census upload ---------------------------------------------------------------------

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

})();
