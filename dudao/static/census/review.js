/* The review queue's keys (documented on the page): j next record, k previous record, r the return reason.
 * Keys typed into a field, or with Ctrl/Alt/Meta, are left alone; without JavaScript the links and buttons
 * work as they are, in reading order. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName))) return;
    var link = null;
    if (event.key === "j") link = document.querySelector("a[data-key='j']");
    else if (event.key === "k") link = document.querySelector("a[data-key='k']");
    else if (event.key === "r") {
      var reason = document.getElementById("return-reason");
      if (reason) { event.preventDefault(); reason.focus(); }
      return;
    } else return;
    if (link) { event.preventDefault(); window.location.assign(link.href); }
  });
})();
