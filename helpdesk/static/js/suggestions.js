// The filing form's suggestions (tickets/_filing_suggestions.html): once a system and a kind of
// problem are chosen and the subject holds a few words, the help articles that may answer it
// are asked for (GET /api/v1/suggestions, with the page's session) and listed beside the form,
// each with a "solved, no need to send" button. That button posts, through one small form added
// outside the filing form, the system, category and province chosen to /help/<slug>/solved.
// Without this file the panel stays hidden and the form works as before.
(function () {
  "use strict";

  var DELAY = 250; // milliseconds of quiet typing before asking the server
  var SHOWN = 5;

  var panel = document.getElementById("filing-suggestions");
  var form = panel ? panel.closest("form") : null;
  var status = document.getElementById("filing-suggestions-status");
  if (!panel || !form || !window.fetch) {
    return;
  }
  var system = form.elements.namedItem("system");
  var category = form.elements.namedItem("category");
  var province = form.elements.namedItem("province");
  var subject = form.elements.namedItem("subject");
  var list = panel.querySelector("[data-suggestions-list]");
  var hint = panel.querySelector("[data-suggestions-hint]");
  if (!system || !category || !subject || !list) {
    return;
  }

  // The small form the buttons submit (a form may not hold another: it lives after the page).
  var solved = document.createElement("form");
  solved.id = "filing-solved-form";
  solved.method = "post";
  solved.hidden = true;
  function hidden(name, value) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value || "";
    solved.appendChild(input);
    return input;
  }
  hidden("csrf_token", panel.dataset.csrf);
  var chosenSystem = hidden("system");
  var chosenCategory = hidden("category");
  var chosenProvince = hidden("province");
  document.body.appendChild(solved);
  solved.addEventListener("submit", function () {
    chosenSystem.value = system.value;
    chosenCategory.value = category.value;
    chosenProvince.value = province ? province.value : "";
  });

  var timer = null;
  var askLatest = window.latestJson();
  var lastUrl = "";

  function enough(words) {
    var text = words.trim();
    return text.length >= 8 || text.split(/\s+/).length >= 2;
  }

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function show(articles) {
    list.textContent = "";
    articles.slice(0, SHOWN).forEach(function (article) {
      var item = document.createElement("li");
      item.className = "filing-suggestion";
      var link = document.createElement("a");
      link.href = article.url;
      link.target = "_blank"; // the form and what is typed in it stay where they are
      link.rel = "noopener";
      link.className = "filing-suggestion-title";
      link.textContent = article.title;
      var note = document.createElement("span");
      note.className = "visually-hidden";
      note.textContent = " " + (panel.dataset.newTabText || "");
      link.appendChild(note);
      item.appendChild(link);
      if (article.summary) {
        var summary = document.createElement("p");
        summary.className = "small text-body-secondary mb-1";
        summary.textContent = article.summary;
        item.appendChild(summary);
      }
      var button = document.createElement("button");
      button.type = "submit";
      button.className = "btn btn-outline-success btn-sm";
      button.setAttribute("form", solved.id);
      button.formAction = panel.dataset.solvedUrl.replace("__slug__", encodeURIComponent(article.slug));
      button.textContent = panel.dataset.solvedText || "";
      item.appendChild(button);
      list.appendChild(item);
    });
    var found = Math.min(articles.length, SHOWN);
    panel.toggleAttribute("data-found", found > 0);
    if (hint) {
      hint.hidden = found > 0;
    }
    say(found ? (panel.dataset.countText || "").replace("{n}", String(found)) : "");
  }

  function ask() {
    var words = subject.value;
    if (!system.value || !category.value || !enough(words)) {
      lastUrl = "";
      show([]);
      return;
    }
    var url = panel.dataset.url + "?system=" + encodeURIComponent(system.value) +
      "&category=" + encodeURIComponent(category.value) +
      "&subject=" + encodeURIComponent(words.trim().slice(0, 200));
    if (url === lastUrl) {
      return;
    }
    lastUrl = url;
    askLatest(url, { articles: [] }, function (body) {
      show(Array.isArray(body.articles) ? body.articles : []);
    });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, DELAY);
  }

  subject.addEventListener("input", later);
  system.addEventListener("change", later);
  category.addEventListener("change", later);
  panel.hidden = false;
  ask(); // a form shown again (an error, the back button) may already hold all three
})();
