// SEO audit panel in the Wagtail page editor: this page's findings from its latest audit and
// a "Check this draft" link. The HTML comes from a permission-checked admin view; a user
// without access (403) or a page never audited simply gets the panel's own message or nothing.
//
// It also completes the report's Edit links and the panel's "Go to the field" links
// (audit/fix_first.py): they end in the id of the field to fix (#id_seo_title). On a page
// load Wagtail's tabs open the tab holding that element; on a fragment change this script
// opens it. Then it scrolls the field into view and focuses it, so the editor lands on it.
(function () {
  "use strict";
  function linkedId() {
    return decodeURIComponent(window.location.hash.slice(1));
  }
  // `id` is read once: selecting a tab rewrites the location's fragment (#tab-promote).
  function focusField(id, tries) {
    var target = id && document.getElementById(id);
    if (!target) {
      return;
    }
    var panel = target.closest('[role="tabpanel"]');
    if (panel && panel.hidden) {
      var tab = document.querySelector('[role="tab"][aria-controls="' + panel.id + '"]');
      if (tab && tries > 0) {
        tab.click();
        // Wagtail shows the tab's panel after its transition: try again shortly.
        window.setTimeout(function () {
          focusField(id, tries - 1);
        }, 100);
      }
      return;
    }
    // A field is centred and focused; a section (the Body, taller than the window) is
    // scrolled to its start: centring it opened the editor in the middle of the Body.
    var isField = target.matches("input, textarea, select, [contenteditable]");
    target.scrollIntoView({ block: isField ? "center" : "start" });
    if (isField) {
      target.focus({ preventScroll: true });
    }
    // A tab still finishing its transition can move the field again: check, and retry.
    if (tries > 0) {
      window.setTimeout(function () {
        var box = target.getBoundingClientRect();
        if (box.bottom < 0 || box.top > window.innerHeight) {
          focusField(id, tries - 1);
        }
      }, 150);
    }
  }
  function focusLinkedField() {
    focusField(linkedId(), 10);
  }
  // After Wagtail's own load handler has selected the tab (it waits for "load" too).
  window.addEventListener("load", function () {
    window.setTimeout(focusLinkedField, 300);
  });
  // The panel arrives after that scroll and pushes the form down: scroll again.
  window.addEventListener("seo-audit-panel:inserted", focusLinkedField);
  // The panel's "Go to the field" links change only the fragment.
  window.addEventListener("hashchange", focusLinkedField);
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
          window.dispatchEvent(new CustomEvent("seo-audit-panel:inserted"));
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
