// The resolution summary is asked for only while "resolved" is chosen (in the queue's bulk
// actions, with the action "Set status"); without this file it is always shown, and the server
// reads it only with that status.
(function () {
  "use strict";

  document.querySelectorAll("[data-resolution-for]").forEach(function (box) {
    var status = document.getElementById(box.dataset.resolutionFor);
    var action = box.dataset.actionSelect ? document.getElementById(box.dataset.actionSelect) : null;
    if (!status) {
      return;
    }
    function show() {
      var wanted = status.value === "resolved" && (!action || action.value === "status");
      // A field the server refused stays in sight whatever is chosen.
      box.hidden = !wanted && !box.querySelector(".is-invalid");
    }
    status.addEventListener("change", show);
    if (action) {
      action.addEventListener("change", show);
    }
    show();
  });
})();
