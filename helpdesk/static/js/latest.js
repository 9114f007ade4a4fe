// The forms' live helpers (the units type-ahead, the filing form's contacts and suggestions)
// ask the JSON API as the official types or chooses. latestJson() gives each helper its asker:
// a new question aborts the one before, and an answer that arrives after a newer question is
// dropped, so what is shown always answers what is on the form now. A refused answer gives
// `fallback`; offline or aborted, nothing is called (the form works without the helper).
window.latestJson = function () {
  "use strict";
  var request = null;
  var asked = 0;
  return function (url, fallback, use) {
    if (request) {
      request.abort();
    }
    request = window.AbortController ? new AbortController() : null;
    asked += 1;
    var mine = asked;
    fetch(url, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: request ? request.signal : undefined
    })
      .then(function (response) {
        return response.ok ? response.json() : fallback;
      })
      .then(function (body) {
        if (mine === asked) {
          use(body);
        }
      })
      .catch(function () {
        // Offline or aborted: the form is sent as it always was.
      });
  };
};
