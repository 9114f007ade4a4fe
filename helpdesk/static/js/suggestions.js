// The filing form's suggestions (tickets/_filing_suggestions.html): once a system and a kind of
// problem are chosen and the subject holds a few words, the open incidents and the help articles
// that may answer it are asked for (GET /api/v1/suggestions, with the page's session and the
// chosen province) and listed beside the form. The known incidents come first, each with its
// latest update, the expected time of repair and a "this is my problem too" button: a submit
// button of the filing form itself (name `incident`), so what was typed goes with it. Each
// article has a "solved, no need to send" button, which posts, through one small form added
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
  var incidentsBlock = panel.querySelector("[data-suggestions-incidents]");
  var incidentsList = panel.querySelector("[data-incidents-list]");
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

  // An instant of the answer (ISO 8601) as the pages write it: 31/12/2026 17:00, local time.
  function local(iso) {
    var parts = {};
    try {
      new Intl.DateTimeFormat("en-GB", {
        timeZone: panel.dataset.timezone || undefined,
        year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23"
      }).formatToParts(new Date(iso)).forEach(function (part) {
        parts[part.type] = part.value;
      });
    } catch (error) {
      return iso;
    }
    return parts.day + "/" + parts.month + "/" + parts.year + " " + parts.hour + ":" + parts.minute;
  }

  function paragraph(className, text) {
    var line = document.createElement("p");
    line.className = className;
    line.textContent = text;
    return line;
  }

  function showIncidents(incidents) {
    incidentsList.textContent = "";
    incidents.slice(0, SHOWN).forEach(function (incident) {
      var item = document.createElement("li");
      item.className = "filing-suggestion";
      item.dataset.incident = incident.number;
      var title = document.createElement("strong");
      title.className = "filing-suggestion-title text-break";
      title.id = "incident-suggestion-" + incident.number;
      title.textContent = incident.title;
      item.appendChild(title);
      if (incident.latest_update) {
        item.appendChild(paragraph("small mb-1 text-break announcement-body", incident.latest_update));
      }
      if (incident.expected_at) {
        var expected = (panel.dataset.expectedText || "").replace("{when}", local(incident.expected_at));
        item.appendChild(paragraph("small fw-semibold mb-1", expected));
      }
      var button = document.createElement("button");
      button.type = "submit"; // sends the filing form, what was typed with it
      button.className = "btn btn-warning btn-sm";
      if (form.id) {
        button.setAttribute("form", form.id);
      }
      button.name = "incident";
      button.value = incident.number;
      button.setAttribute("aria-describedby", title.id);
      button.textContent = panel.dataset.joinText || "";
      item.appendChild(button);
      incidentsList.appendChild(item);
    });
    var found = Math.min(incidents.length, SHOWN);
    incidentsBlock.hidden = found === 0;
    return found;
  }

  function show(articles, incidents) {
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
        item.appendChild(paragraph("small text-body-secondary mb-1", article.summary));
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
    var known = incidentsList ? showIncidents(incidents) : 0;
    panel.toggleAttribute("data-found", found + known > 0);
    if (hint) {
      hint.hidden = found + known > 0;
    }
    var said = [];
    if (known) {
      said.push((panel.dataset.incidentCountText || "").replace("{n}", String(known)));
    }
    if (found) {
      said.push((panel.dataset.countText || "").replace("{n}", String(found)));
    }
    say(said.join(" "));
  }

  function ask() {
    var words = subject.value;
    if (!system.value || !category.value || !enough(words)) {
      lastUrl = "";
      show([], []);
      return;
    }
    var url = panel.dataset.url + "?system=" + encodeURIComponent(system.value) +
      "&category=" + encodeURIComponent(category.value) +
      "&subject=" + encodeURIComponent(words.trim().slice(0, 200)) +
      (province && province.value ? "&province=" + encodeURIComponent(province.value) : "");
    if (url === lastUrl) {
      return;
    }
    lastUrl = url;
    askLatest(url, { articles: [], incidents: [] }, function (body) {
      show(
        Array.isArray(body.articles) ? body.articles : [],
        Array.isArray(body.incidents) ? body.incidents : []
      );
    });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, DELAY);
  }

  subject.addEventListener("input", later);
  system.addEventListener("change", later);
  category.addEventListener("change", later);
  if (province) {
    province.addEventListener("change", later);
  }
  panel.hidden = false;
  ask(); // a form shown again (an error, the back button) may already hold all three
})();
