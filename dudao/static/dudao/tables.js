// Tables as cards on a phone (dudao.css): every body cell of a table block gets its column's name
// (data-label) from the header, so a card reads "完成时限 2026-11-02". The key column (the card's
// title: figure[data-key], or a row header) gets none.
(function () {
  "use strict";
  function label(table) {
    var figure = table.closest("figure.table-block");
    var key = Number(figure && figure.getAttribute("data-key")) - 1;  // -1: none (a region table's row header)
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.replace(/[↕▲▼]/g, "").trim();
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        if (row.cells.length !== heads.length) return;  // "无" spanning the row
        Array.prototype.forEach.call(row.cells, function (cell, i) {
          if (heads[i] && i !== key && !(cell.tagName === "TH" && cell.scope === "row")) {
            cell.setAttribute("data-label", heads[i]);
          }
        });
      });
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("figure.table-block table"), label);
})();
