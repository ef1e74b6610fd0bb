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
