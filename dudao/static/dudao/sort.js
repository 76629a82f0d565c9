/* Sortable tables without a page load (progressive enhancement of the server-side ?sort= links).
 *
 * A <table data-sortable data-sort-group="g"> has header links <th data-key="k"><a class="sort" href="?sort=k">;
 * each cell carries data-sort (the raw value; empty = no value, always last) and each row data-county.
 * Clicking (or pressing Enter on) a header link sorts that table in the browser, puts the rows of
 * every other table of the same group in the same order, marks the column with aria-sort, and keeps
 * the address, the download links and the ranking form's sort in step, so a download still holds
 * exactly what is on screen. Without JavaScript the links reload the page sorted by the server.
 */
(function () {
  "use strict";

  function compare(a, b) {
    if (a === "" || b === "") return (a === "") - (b === "");
    var x = Number(a), y = Number(b);
    if (isFinite(x) && isFinite(y)) return x - y;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function cellValue(row, index) {
    var cell = row.cells[index];
    return cell ? cell.getAttribute("data-sort") || "" : "";
  }

  function withSort(href, value) {
    var url = new URL(href, window.location.href);
    url.searchParams.set("sort", value);
    return url.pathname + url.search;
  }

  function sortGroup(table, th) {
    var key = th.getAttribute("data-key");
    var descending = th.getAttribute("aria-sort") === "ascending";
    var index = th.cellIndex;
    var codeTh = table.querySelector('thead th[data-key="code"]');
    var codeIndex = codeTh ? codeTh.cellIndex : -1;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return r.hasAttribute("data-county"); });
    rows.sort(function (r1, r2) {
      var a = cellValue(r1, index), b = cellValue(r2, index);
      if (a === "" || b === "") return (a === "") - (b === "");
      var order = compare(a, b) * (descending ? -1 : 1);
      return order || (codeIndex >= 0 ? compare(cellValue(r1, codeIndex), cellValue(r2, codeIndex)) : 0);
    });
    rows.forEach(function (r) { body.appendChild(r); });
    var order = rows.map(function (r) { return r.getAttribute("data-county"); });
    var group = table.getAttribute("data-sort-group");
    var tables = document.querySelectorAll('table[data-sortable][data-sort-group="' + group + '"]');
    Array.prototype.forEach.call(tables, function (other) {
      if (other !== table) {
        var otherBody = other.tBodies[0];
        order.forEach(function (county) {
          var row = otherBody.querySelector('tr[data-county="' + county + '"]');
          if (row) otherBody.appendChild(row);
        });
      }
      Array.prototype.forEach.call(other.querySelectorAll("thead th[data-key]"), function (h) {
        h.removeAttribute("aria-sort");
        var link = h.querySelector("a.sort");
        if (link) link.setAttribute("href", withSort(link.getAttribute("href"), h.getAttribute("data-key")));
      });
    });
    var value = (descending ? "-" : "") + key;
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    var own = th.querySelector("a.sort");
    if (own) own.setAttribute("href", withSort(own.getAttribute("href"), descending ? key : "-" + key));
    Array.prototype.forEach.call(document.querySelectorAll("a[download]"), function (a) {
      a.setAttribute("href", withSort(a.getAttribute("href"), value));
    });
    Array.prototype.forEach.call(document.querySelectorAll('form[method="get"]'), function (form) {
      var input = form.querySelector('input[name="sort"]');
      if (!input) {
        input = document.createElement("input");
        input.type = "hidden";
        input.name = "sort";
        form.appendChild(input);
      }
      input.value = value;
    });
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", withSort(window.location.href, value));
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("table[data-sortable] thead a.sort") : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    sortGroup(link.closest("table"), link.closest("th"));
  });
})();
