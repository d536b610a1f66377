// SEO audit panel in the Wagtail page editor: this page's findings from its latest audit and
// a "Check this draft" link. The HTML comes from a permission-checked admin view; a user
// without access (403) or a page never audited simply gets the panel's own message or nothing.
//
// It also completes the report's Edit links (audit/fix_first.py): they end in the id of the
// field to fix (#id_seo_title). Wagtail's tabs open the tab holding that element; this script
// then scrolls the field into view and focuses it, so the editor lands on it.
(function () {
  "use strict";
  function focusLinkedField() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) {
      return;
    }
    target.scrollIntoView({ block: "center" });
    if (target.matches("input, textarea, select, [contenteditable]")) {
      target.focus({ preventScroll: true });
    }
  }
  // After Wagtail's own load handler has selected the tab (it waits for "load" too).
  window.addEventListener("load", function () {
    window.setTimeout(focusLinkedField, 300);
  });
})();
(function () {
  "use strict";
  var script = document.currentScript;
  var template = script && script.dataset.panelUrl;
  var match = window.location.pathname.match(/\/pages\/(\d+)\/edit\/?$/);
  if (!template || !match) {
    return;
  }
  function insert() {
    var form = document.querySelector("form[data-edit-form]");
    if (!form || document.getElementById("seo-audit-panel")) {
      return;
    }
    fetch(template.replace("{id}", match[1]), {
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest" },
    })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        if (!html) {
          return;
        }
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var panel = holder.querySelector("#seo-audit-panel");
        if (panel) {
          form.parentNode.insertBefore(panel, form);
        }
      })
      .catch(function () {
        // The panel is a convenience: a network error must not disturb editing.
      });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", insert);
  } else {
    insert();
  }
})();
