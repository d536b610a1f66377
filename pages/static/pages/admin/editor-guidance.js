/*
 * Guidance where editors type (page editor only; loaded by users/wagtail_hooks.py).
 * - Live character counters with the targets search engines and screen readers need:
 *   SEO title (aim <= 60), search description (aim 70-160), alt text (aim <= 100).
 * - Heading blocks: a warning beside any heading that skips a level (the title is the h1).
 * Fields in StreamField blocks appear and move after load, so the page is rescanned on change.
 */
(function () {
  "use strict";

  var GUIDANCE_CLASS = "clinic-guidance";

  function plural(n) {
    return n === 1 ? "1 character" : n + " characters";
  }

  function seoTitle(n) {
    if (n === 0) return ["ok", "Empty: the page title is used. Aim for 30–60 characters."];
    if (n > 60) return ["warn", plural(n) + " (aim ≤ 60): search results will cut it off."];
    if (n < 30) return ["warn", plural(n) + " (aim 30–60): say a little more about the page."];
    return ["ok", plural(n) + " (aim ≤ 60): fits in search results."];
  }

  function searchDescription(n) {
    if (n === 0) return ["ok", "Empty: the introduction is used. Aim for 70–160 characters."];
    if (n < 70) return ["warn", plural(n) + " (aim 70–160): too short to sell the page."];
    if (n > 160) return ["warn", plural(n) + " (aim 70–160): search results will cut it off."];
    return ["ok", plural(n) + " (aim 70–160): a good length."];
  }

  // The image's "decorative" tick box: hero_image_alt -> hero_image_decorative,
  // <block>-alt_text -> <block>-decorative.
  function decorativeBox(altInput) {
    var name = altInput.name.replace(/(_alt|-alt_text)$/, function (suffix) {
      return suffix === "_alt" ? "_decorative" : "-decorative";
    });
    return document.querySelector('input[type="checkbox"][name="' + name + '"]');
  }

  // The image chooser's hidden input: hero_image_alt -> hero_image, <block>-alt_text -> <block>-image.
  function imageInput(altInput) {
    var name = altInput.name.replace(/(_alt|-alt_text)$/, function (suffix) {
      return suffix === "_alt" ? "" : "-image";
    });
    return document.querySelector('input[name="' + name + '"]');
  }

  // The audit's own rules (img-alt-filename, img-alt-generic in audit/engine/checks/images.py):
  // tests/editor/test_alt_guidance_browser.py checks that both give the same verdicts.
  var FILE_EXTENSION = /\.(jpe?g|png|gif|webp|avif|svg|bmp|tiff?|heic|ico)\s*$/i;
  var CAMERA_NAME = /^(img|dsc|dscn|dscf|dcim|pxl|mvimg|gopr|screenshot|photo|image)[-_ ]?\d{2,}/i;
  var UNDERSCORED = /^\S*_\S*$/;
  var GENERIC_ALT = [
    "image", "img", "photo", "photograph", "picture", "pic", "graphic", "icon", "spacer",
    "placeholder", "untitled", "alt", "alt text", "image of", "photo of", "picture of",
    "banner", "thumbnail",
  ];

  function looksLikeFileName(value) {
    return FILE_EXTENSION.test(value) || CAMERA_NAME.test(value) || UNDERSCORED.test(value);
  }

  function isGeneric(value) {
    var words = value.toLowerCase().replace(/[^\p{L}\p{N}_\s]/gu, " ").split(/\s+/);
    return GENERIC_ALT.indexOf(words.filter(Boolean).join(" ")) !== -1;
  }

  function altText(n, value, input) {
    var image = imageInput(input);
    if (image && !image.value && n === 0) {
      return ["ok", "No image chosen yet: no alt text needed."];
    }
    var decorative = decorativeBox(input);
    if (decorative && decorative.checked) {
      return ["ok", "Marked decorative: screen readers skip it and alt text is not used."];
    }
    if (n === 0) {
      return [
        "warn",
        "Say what the image shows for someone who cannot see it, " +
          "or mark the image as decorative if it adds nothing to the text.",
      ];
    }
    if (isGeneric(value)) {
      return [
        "warn",
        '"' + value.trim() + '" tells a screen reader user nothing: say what the image shows.',
      ];
    }
    if (looksLikeFileName(value.trim())) {
      return [
        "warn",
        '"' + value.trim() + '" looks like a file name: say what the image shows instead.',
      ];
    }
    if (/^\s*(an? )?(image|picture|photo|photograph) of\b/i.test(value)) {
      return [
        "warn",
        plural(n) + ': screen readers already announce an image; drop "' +
          value.trim().split(/\s+of\b/i)[0] + ' of" and say what it shows.',
      ];
    }
    if (n > 100) {
      return ["warn", plural(n) + " (aim ≤ 100): keep it short; put details in the caption."];
    }
    return ["ok", plural(n) + " (aim ≤ 100): describe what it shows, not what it is."];
  }

  // Which fields get a counter, by input name (block fields carry their stream prefix).
  var COUNTED = [
    { test: /^seo_title$/, rate: seoTitle },
    { test: /^search_description$/, rate: searchDescription },
    { test: /(^hero_image_alt|-alt_text)$/, rate: altText },
  ];

  function ruleFor(input) {
    for (var i = 0; i < COUNTED.length; i++) {
      if (COUNTED[i].test.test(input.name || "")) return COUNTED[i];
    }
    return null;
  }

  function noteAfter(input, key) {
    var note = input.parentNode.querySelector(
      "." + GUIDANCE_CLASS + '[data-guidance-for="' + key + '"]'
    );
    if (!note) {
      note = document.createElement("p");
      note.className = GUIDANCE_CLASS;
      note.setAttribute("data-guidance-for", key);
      note.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", note);
    }
    return note;
  }

  function show(note, rating) {
    note.setAttribute("data-state", rating[0]);
    note.textContent = rating[1];
  }

  function updateCounter(input) {
    var rule = ruleFor(input);
    if (!rule) return;
    var value = input.value || "";
    show(noteAfter(input, input.name), rule.rate(value.trim().length, value, input));
  }

  // Heading blocks: a select named "<stream>-<n>-value-level" with values h2, h3, h4.
  function updateHeadings() {
    var selects = document.querySelectorAll('select[name$="-value-level"]');
    var previousByStream = {};
    selects.forEach(function (select) {
      var stream = select.name.split("-")[0];
      var level = parseInt((select.value || "h2").slice(1), 10);
      var previous = previousByStream[stream] || 1; // the page title is the h1
      var note = noteAfter(select, select.name);
      if (level > previous + 1) {
        show(note, [
          "warn",
          "This h" + level + " follows an h" + previous + ": use h" + (previous + 1) +
            " here, or add an h" + (previous + 1) + " above it. Keep levels in order.",
        ]);
      } else {
        show(note, ["ok", "Heading h" + level + ": levels are in order."]);
      }
      previousByStream[stream] = level;
    });
  }

  function scan() {
    document.querySelectorAll("input[name], textarea[name]").forEach(function (input) {
      if (ruleFor(input)) updateCounter(input);
    });
    updateHeadings();
  }

  var scheduled = false;
  function scheduleScan() {
    if (scheduled) return;
    scheduled = true;
    window.requestAnimationFrame(function () {
      scheduled = false;
      scan();
    });
  }

  document.addEventListener("input", function (event) {
    if (event.target && event.target.name) updateCounter(event.target);
  });
  document.addEventListener("change", function (event) {
    var name = (event.target && event.target.name) || "";
    if (/-value-level$/.test(name)) updateHeadings();
    if (/(_|-)decorative$/.test(name) || /(^hero_image|-image)$/.test(name)) scheduleScan();
  });

  function start() {
    scan();
    // Blocks added, removed or reordered in a StreamField change what needs guidance.
    new MutationObserver(function (mutations) {
      for (var i = 0; i < mutations.length; i++) {
        var nodes = Array.prototype.slice.call(mutations[i].addedNodes)
          .concat(Array.prototype.slice.call(mutations[i].removedNodes));
        var relevant = nodes.some(function (node) {
          return node.nodeType === 1 && !node.classList.contains(GUIDANCE_CLASS);
        });
        if (relevant) {
          scheduleScan();
          return;
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
