// Ticket pages: conveniences only; every form works the same without this file.
(function () {
  "use strict";

  // A canned reply chosen in the select goes into the reply box (the "Insert" button does the
  // same on the server when scripts are off).
  document.querySelectorAll("select[data-fills]").forEach(function (select) {
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      var target = document.getElementById(select.dataset.fills);
      if (!option || !option.dataset.body || !target) {
        return;
      }
      target.value = target.value.trim() ? target.value.trim() + "\n\n" + option.dataset.body : option.dataset.body;
      select.selectedIndex = 0;
      target.focus();
    });
  });

  // The composer's send button says what it will do: send a reply or add an internal note.
  document.querySelectorAll("form.composer").forEach(function (form) {
    var button = form.querySelector("button[data-label-public]");
    function label() {
      var chosen = form.querySelector("input[data-visibility]:checked");
      if (button && chosen) {
        button.textContent = chosen.dataset.visibility === "internal" ? button.dataset.labelInternal : button.dataset.labelPublic;
      }
    }
    form.querySelectorAll("input[data-visibility]").forEach(function (input) {
      input.addEventListener("change", label);
    });
    label();
  });

  // Files larger than the server accepts are caught before a long upload from a phone.
  function tooLarge(form) {
    var inputs = form.querySelectorAll("input[type=file][data-max-bytes]");
    var total = 0;
    var limit = 0;
    var message = "";
    inputs.forEach(function (input) {
      limit = Number(input.dataset.maxBytes) || 0;
      message = input.dataset.tooLarge || message;
      Array.prototype.forEach.call(input.files || [], function (file) {
        total += file.size;
      });
    });
    return limit && total > limit ? message : "";
  }

  // One click sends a form once; the server also refuses a second ticket for the same form.
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var message = tooLarge(form);
      if (message) {
        event.preventDefault();
        window.alert(message);
        return;
      }
      if (form.dataset.sent && !event.submitter?.hasAttribute("formnovalidate")) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        if (!button.hasAttribute("formnovalidate")) {
          button.classList.add("disabled");
          button.setAttribute("aria-disabled", "true");
        }
      });
    });
  });

  // Back to a page the browser kept: its forms may be sent again (the server keeps one ticket).
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      delete form.dataset.sent;
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.classList.remove("disabled");
        button.removeAttribute("aria-disabled");
      });
    });
  });
})();
