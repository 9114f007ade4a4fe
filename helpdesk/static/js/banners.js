// Banners of announcements that follow a select (announcements/_banners.html with
// banners_follow): only those about the chosen system and those about every system stay.
// Nothing chosen, or no script, shows them all.
(function () {
  "use strict";

  document.querySelectorAll("section[data-follows]").forEach(function (section) {
    var select = document.getElementById(section.dataset.follows);
    if (!select) {
      return;
    }
    var banners = section.querySelectorAll("[data-system]");
    function show() {
      var chosen = select.value;
      var shown = 0;
      banners.forEach(function (banner) {
        var keep = !chosen || !banner.dataset.system || banner.dataset.system === chosen;
        banner.hidden = !keep;
        shown += keep ? 1 : 0;
      });
      section.hidden = shown === 0;
    }
    select.addEventListener("change", show);
    show();
  });
})();
