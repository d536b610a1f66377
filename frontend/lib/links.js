// Rich text arrives from the API as HTML with page links already resolved to the CMS's public
// URLs (rich_text_format=html). Each is turned into the front end's own URL, and the ids of the
// pages linked to are kept so a change to one of them rebuilds the pages that link to it.

const URL_ATTRIBUTE = /\b(href|src)="([^"]*)"/g;
const CMS_ONLY_PREFIXES = ["/media/", "/documents/"];

export function makeResolver(settings, byPath) {
  function resolve(raw, linked) {
    const value = raw.replace(/&amp;/g, "&");
    let url;
    try {
      url = new URL(value, `${settings.cmsOrigin}/`);
    } catch {
      return raw;
    }
    const isRelative = value.startsWith("/") && !value.startsWith("//");
    if (!isRelative && !settings.cmsOrigins.has(url.origin)) return raw; // an external link
    if (CMS_ONLY_PREFIXES.some((prefix) => url.pathname.startsWith(prefix))) {
      return escapeAttr(url.href); // files stay on the CMS, which serves them
    }
    const page = byPath.get(url.pathname);
    if (page && linked) linked.add(page.id);
    return escapeAttr(url.pathname + url.search + url.hash);
  }
  function richText(html, linked) {
    return String(html ?? "").replace(URL_ATTRIBUTE, (_match, name, value) => `${name}="${resolve(value, linked)}"`);
  }
  return { resolve, richText };
}

function escapeAttr(value) {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;");
}
