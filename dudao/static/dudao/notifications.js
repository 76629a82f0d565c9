// The header's notifications (通知): the unread count and the newest few, read from
// /notifications/unread.json. Without JavaScript the link opens the full list.
(function () {
  "use strict";
  var box = document.getElementById("notices");
  if (!box || !window.fetch) { return; }
  var count = box.querySelector(".notice-count");
  var list = box.querySelector(".notice-list");
  var all = box.querySelector(".notice-panel > a");
  fetch(box.getAttribute("data-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data) { return; }
      if (data.count > 0) {
        count.textContent = String(data.count);
        count.hidden = false;
        box.classList.add("has-unread");
      }
      list.textContent = "";
      data.items.forEach(function (item) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = item.url || all.href;  // without a link of its own: the centre
        a.textContent = item.message;
        li.appendChild(a);
        list.appendChild(li);
      });
    })
    .catch(function () { /* the list stays as rendered: a link to all notifications */ });
})();
