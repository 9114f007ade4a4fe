// The filing form's "Or call ..." line (tickets/_filing_contacts.html): when the system or the
// province changes, the matching contacts of the support directory are asked of
// /api/v1/directory and shown. Without this file the line shows what the server wrote.
(function () {
  "use strict";

  function enhance(box) {
    var system = document.getElementById(box.dataset.systemSelect);
    var province = document.getElementById(box.dataset.provinceSelect);
    var list = box.querySelector("[data-contacts-list]");
    if (!system || !province || !list) {
      return;
    }
    var askLatest = window.latestJson();

    function link(href, text) {
      var anchor = document.createElement("a");
      anchor.href = href;
      anchor.textContent = text;
      return anchor;
    }

    function show(items) {
      list.textContent = "";
      items.forEach(function (item) {
        var phones = (item.phone || "").split(",").map(function (number) {
          return number.trim();
        }).filter(Boolean);
        if (!phones.length && !item.email) {
          return;
        }
        var line = document.createElement("li");
        var who = document.createElement("span");
        who.className = "fw-semibold";
        who.textContent = item.name ? item.organisation + " (" + item.name + ")" : item.organisation;
        line.appendChild(who);
        phones.forEach(function (number) {
          line.appendChild(document.createTextNode(" · "));
          line.appendChild(link("tel:" + number.replace(/\s+/g, ""), number));
        });
        if (item.email) {
          line.appendChild(document.createTextNode(" · "));
          line.appendChild(link("mailto:" + item.email, item.email));
        }
        list.appendChild(line);
      });
      box.hidden = !list.children.length;
    }

    function ask() {
      if (!system.value || !province.value) {
        show([]);
        return;
      }
      var url = box.dataset.directoryUrl + "?system=" + encodeURIComponent(system.value) +
        "&province=" + encodeURIComponent(province.value);
      askLatest(url, { items: [] }, function (body) {
        show(Array.isArray(body.items) ? body.items.slice(0, Number(box.dataset.most) || 6) : []);
      });
    }

    system.addEventListener("change", ask);
    province.addEventListener("change", ask);
  }

  document.querySelectorAll("[data-filing-contacts]").forEach(enhance);
})();
