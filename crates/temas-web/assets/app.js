// Temas web app: the few behaviours htmx does not give by itself.
(function () {
  "use strict";
  // "/" anywhere outside a text field jumps to the search box; Escape leaves it and closes its results.
  document.addEventListener("keydown", function (e) {
    var search = document.getElementById("search");
    if (!search) return;
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName) ||
      document.activeElement.isContentEditable;
    if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      search.focus();
      search.select();
    } else if (e.key === "Escape" && document.activeElement === search) {
      search.blur();
      var results = document.getElementById("search-results");
      if (results) results.innerHTML = "";
    }
  });
})();

// The deals board: a card dropped on another stage's column posts the move, as its stage menu would.
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board) return;
  var dragged = null;
  board.addEventListener("dragstart", function (e) {
    var card = e.target.closest && e.target.closest(".deal-card");
    if (!card) return;
    dragged = card;
    e.dataTransfer.setData("text/plain", card.dataset.id);
  });
  board.addEventListener("dragover", function (e) {
    var column = e.target.closest && e.target.closest(".column");
    if (!column || !dragged) return;
    e.preventDefault();
    column.classList.add("drop");
  });
  board.addEventListener("dragleave", function (e) {
    var column = e.target.closest && e.target.closest(".column");
    if (column) column.classList.remove("drop");
  });
  board.addEventListener("drop", function (e) {
    var column = e.target.closest && e.target.closest(".column");
    if (!column || !dragged) return;
    e.preventDefault();
    column.classList.remove("drop");
    var form = dragged.querySelector("form.move");
    if (column.dataset.stage === form.elements.stage.value) return;
    form.elements.stage.value = column.dataset.stage;
    form.submit();
  });
})();
