// Reads what the page became: lab metrics, bytes by type, and the headings and links that
// the rendered DOM shows but the server's HTML (passed in) does not have.
(serverHtml) => {
  const lab = window.__auditLab || { lcp: null, cls: 0, longTasks: [] };
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const fcp = paint ? paint.startTime : 0;
  let tbt = 0;
  for (const [start, duration] of lab.longTasks) {
    if (start + duration > fcp) tbt += Math.max(0, duration - 50);
  }
  const bytes = {};
  const add = (kind, size) => {
    bytes[kind] = (bytes[kind] || 0) + (size || 0);
  };
  for (const nav of performance.getEntriesByType("navigation")) add("document", nav.transferSize);
  for (const res of performance.getEntriesByType("resource")) {
    add(res.initiatorType || "other", res.transferSize);
  }

  const squash = (text) => (text || "").replace(/\s+/g, " ").trim();
  const selectorOf = (el) => {
    const parts = [];
    for (let node = el; node && node.nodeType === 1 && node !== document.documentElement; ) {
      if (node.id && document.querySelectorAll("#" + CSS.escape(node.id)).length === 1) {
        parts.unshift("#" + CSS.escape(node.id));
        break;
      }
      const tag = node.tagName.toLowerCase();
      const parent = node.parentElement;
      const same = parent ? Array.from(parent.children).filter((c) => c.tagName === node.tagName) : [];
      parts.unshift(same.length > 1 ? `${tag}:nth-of-type(${same.indexOf(node) + 1})` : tag);
      node = parent;
    }
    return parts.join(" > ");
  };
  const visible = (el) => {
    if (!el.getClientRects().length) return false;
    const style = getComputedStyle(el);
    return style.visibility !== "hidden" && style.display !== "none";
  };
  const server = new DOMParser().parseFromString(serverHtml || "", "text/html");
  const HEADINGS = "h1,h2,h3,h4,h5,h6";
  const headingKey = (h) => h.tagName + ":" + squash(h.textContent);
  const serverHeadings = new Set(Array.from(server.querySelectorAll(HEADINGS), headingKey));
  const serverLinks = new Set(
    Array.from(server.querySelectorAll("a[href]"), (a) => a.getAttribute("href").trim()),
  );
  const scriptOnly = [];
  for (const h of document.querySelectorAll(HEADINGS)) {
    if (squash(h.textContent) && visible(h) && !serverHeadings.has(headingKey(h))) {
      scriptOnly.push({ kind: "heading", text: squash(h.textContent).slice(0, 120),
        selector: selectorOf(h), html: h.outerHTML.slice(0, 200) });
    }
  }
  for (const a of document.querySelectorAll("a[href]")) {
    if (visible(a) && !serverLinks.has(a.getAttribute("href").trim())) {
      scriptOnly.push({ kind: "link", text: a.getAttribute("href").slice(0, 200),
        selector: selectorOf(a), html: a.outerHTML.slice(0, 200) });
    }
  }
  // Scripts of the page's own (not JSON data blocks): without any, a long task is the
  // browser's own work, not the page's, and Total Blocking Time is not reported.
  const RUNS = /^(|module|text\/javascript|application\/javascript|text\/ecmascript)$/i;
  const ownScripts = Array.from(document.scripts).filter((s) => RUNS.test(s.type.trim())).length;

  // Dark styles of any kind: a media query (in CSS, @import, <link media>, <source media>),
  // light-dark(), a color-scheme that offers dark, or a script that read the scheme.
  const scheme = /prefers-color-scheme|light-dark\(/i;
  let darkStyles = Boolean(lab.readsScheme);
  const walk = (rules, depth) => {
    for (const rule of rules) {
      if (darkStyles || depth > 20) return;
      if (scheme.test(rule.conditionText || (rule.media && rule.media.mediaText) || "")) {
        darkStyles = true;
      } else if (rule.style && scheme.test(rule.cssText)) {
        darkStyles = true;
      } else if (rule.cssRules) {
        walk(rule.cssRules, depth + 1);
      } else if (rule.styleSheet) {
        try {
          walk(rule.styleSheet.cssRules, depth + 1);
        } catch (error) {
          darkStyles = true; // an imported sheet we may not read: it may have dark styles
        }
      }
    }
  };
  for (const sheet of document.styleSheets) {
    if (darkStyles) break;
    if (sheet.media && scheme.test(sheet.media.mediaText)) {
      darkStyles = true;
      break;
    }
    try {
      walk(sheet.cssRules, 0);
    } catch (error) {
      darkStyles = true; // another origin's sheet we may not read: it may have dark styles
    }
  }
  if (!darkStyles) {
    const meta = document.querySelector('meta[name="color-scheme"]');
    darkStyles = Boolean(meta && /dark/i.test(meta.content)) ||
      /dark/i.test(getComputedStyle(document.documentElement).colorScheme || "") ||
      document.querySelector('[media*="prefers-color-scheme" i]') !== null;
  }
  return { lcp: lab.lcp, cls: lab.cls, tbt, bytes, scriptOnly, ownScripts, darkStyles };
}
