// Every page: conveniences for keyboard users; nothing here is needed to read or submit a page.
(function () {
  "use strict";

  // The name of a table's scrolling box: the table's caption, else the page's heading.
  function nameOf(box) {
    var caption = box.querySelector("caption");
    var heading = document.querySelector("main h1");
    return ((caption || heading || {}).textContent || "").trim();
  }

  // A table wider than the screen scrolls sideways inside its .table-responsive box; such a box
  // takes the focus (Tab), so that the arrow keys scroll it, and is announced by its name.
  function reachScrollingTables() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        var name = nameOf(box);
        if (name) {
          box.setAttribute("aria-label", name);
        }
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  reachScrollingTables();
  window.addEventListener("resize", reachScrollingTables);
})();
