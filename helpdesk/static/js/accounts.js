// The new-account page: fields that apply to one role only (an observer's systems) are shown
// while that role is chosen, and emptied when another is (what they hold would be refused).
// Without this script they are always shown, and still optional.
(function () {
  "use strict";

  var role = document.getElementById("role");
  if (!role) {
    return;
  }
  var parts = document.querySelectorAll("[data-shown-for-role]");

  function follow() {
    parts.forEach(function (part) {
      part.hidden = part.getAttribute("data-shown-for-role") !== role.value;
      if (part.hidden) {
        part.querySelectorAll("option").forEach(function (option) {
          option.selected = false;
        });
      }
    });
  }

  role.addEventListener("change", follow);
  follow();
})();
