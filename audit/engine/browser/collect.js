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
  return { lcp: lab.lcp, cls: lab.cls, tbt, bytes, scriptOnly };
}
