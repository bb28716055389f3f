// Sorts any <table class="sortable"> (the model atlas) by the column whose header is clicked:
// numbers by value, text alphabetically; a second click reverses. Cells carry their sort key in
// data-sort, and a header says which kind it is in data-kind ("num" or "text"). No kernel needed.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, column) {
      th.tabIndex = 0;
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        var numeric = th.dataset.kind === "num";
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        function key(row) {
          var cell = row.cells[column];
          var text = cell ? (cell.dataset.sort || "") : "";
          if (!numeric) return text.toLowerCase();
          return text === "" ? NaN : parseFloat(text);
        }
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          if (numeric) {  // rows without a number go last either way
            if (isNaN(x) || isNaN(y)) return isNaN(x) - isNaN(y);
            return ascending ? x - y : y - x;
          }
          return ascending ? x.localeCompare(y) : y.localeCompare(x);
        });
        rows.forEach(function (row) { body.appendChild(row); });
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
  });
});
