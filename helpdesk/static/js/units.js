// Unit fields (the unit_field macro of _macros/forms.html): a type-ahead over the province's
// list of units, in the ARIA 1.2 combobox pattern (an input that controls a listbox). Choosing
// a unit writes its name in the input and its code in the hidden unit_code input; typing again
// clears the code, changing the province clears both. Without this file the typed name is
// matched on the server, so every form works the same without it.
(function () {
  "use strict";

  var DELAY = 250; // milliseconds of quiet typing before asking the server

  function enhance(input) {
    var code = document.getElementById(input.dataset.unitCode);
    var select = input.dataset.provinceSelect ? document.getElementById(input.dataset.provinceSelect) : null;
    if (!code) {
      return;
    }
    var listbox = document.createElement("ul");
    listbox.id = input.id + "-listbox";
    listbox.className = "unit-listbox";
    listbox.setAttribute("role", "listbox");
    var label = document.querySelector("label[for='" + input.id + "']");
    listbox.setAttribute("aria-label", label ? label.textContent.trim() : input.name);
    listbox.hidden = true;
    input.insertAdjacentElement("afterend", listbox);
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    listbox.insertAdjacentElement("afterend", status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    input.setAttribute("autocomplete", "off"); // the browser's own suggestions would cover ours

    var items = [];
    var active = -1;
    var timer = null;
    var askLatest = window.latestJson();

    function province() {
      return select ? select.value : input.dataset.provinceCode || "";
    }

    function say(text) {
      status.textContent = text;
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function mark(index) {
      var options = listbox.querySelectorAll("[role=option]");
      options.forEach(function (option, n) {
        option.setAttribute("aria-selected", n === index ? "true" : "false");
      });
      active = index;
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    }

    function choose(index) {
      var item = items[index];
      if (!item) {
        return;
      }
      input.value = item.name;
      code.value = item.code;
      close();
      say(item.name);
    }

    function show(found) {
      items = found;
      listbox.textContent = "";
      found.forEach(function (item, n) {
        var option = document.createElement("li");
        option.id = listbox.id + "-" + n;
        option.className = "unit-option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = item.name;
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // the input keeps the focus
        });
        option.addEventListener("click", function () {
          choose(n);
          input.focus();
        });
        listbox.appendChild(option);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (!found.length) {
        close();
        say(input.dataset.noneText || "");
        return;
      }
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      say((input.dataset.countText || "").replace("{n}", String(found.length)));
    }

    function ask() {
      var chosen = province();
      if (!chosen) {
        close();
        say(input.dataset.provinceText || "");
        return;
      }
      var url = input.dataset.unitsUrl + "?province=" + encodeURIComponent(chosen) + "&q=" + encodeURIComponent(input.value.trim());
      askLatest(url, { items: [] }, function (body) {
        if (document.activeElement === input) {
          show(Array.isArray(body.items) ? body.items : []);
        }
      });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY);
    }

    input.addEventListener("input", function () {
      code.value = ""; // what is typed now is a name, not the unit chosen before
      if (input.value.trim()) {
        later();
      } else {
        window.clearTimeout(timer);
        close();
      }
    });

    input.addEventListener("keydown", function (event) {
      var open = !listbox.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) {
          ask();
        } else {
          mark(Math.min(active + 1, items.length - 1));
        }
      } else if (event.key === "ArrowUp") {
        if (open) {
          event.preventDefault();
          mark(Math.max(active - 1, 0));
        }
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault(); // the choice, not the form's submission
          choose(active);
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        }
      } else if (event.key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", function () {
      window.setTimeout(close, 150); // after a tap on an option has chosen it
    });

    if (select) {
      select.addEventListener("change", function () {
        input.value = "";
        code.value = "";
        items = [];
        close();
      });
    }
  }

  document.querySelectorAll("input[data-unit-typeahead]").forEach(enhance);
})();
