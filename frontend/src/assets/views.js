// Counts this view through the CMS's beacon, from the reader's browser so the CMS applies the
// same bot and privacy rules as on its own pages, and only once the page is really seen
// (not while prerendered or opened in a background tab). Shows the new total when the CMS
// allows this origin to read the answer (CORS_ALLOWED_ORIGINS); the count is kept either way.
(function () {
  var counter = document.querySelector(".view-count[data-beacon]");
  if (!counter || !window.fetch) return;
  var sent = false;
  function send() {
    if (sent || document.visibilityState !== "visible" || document.prerendering) return;
    sent = true;
    fetch(counter.getAttribute("data-beacon"), { method: "POST", keepalive: true, credentials: "omit" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer || typeof answer.view_count !== "number") return;
        var n = answer.view_count;
        counter.setAttribute("data-views", String(n));
        counter.textContent = n.toLocaleString("en-GB") + " view" + (n === 1 ? "" : "s");
      })
      .catch(function () {});
  }
  document.addEventListener("visibilitychange", send);
  document.addEventListener("prerenderingchange", send);
  send();
})();
