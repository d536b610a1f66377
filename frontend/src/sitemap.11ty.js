import { escape } from "../lib/html.js";

export const data = { permalink: "/sitemap.xml", eleventyExcludeFromCollections: true };

export function render({ build }) {
  const urls = build.sitemap
    .map((entry) => `<url><loc>${escape(build.frontendUrl + entry.path)}</loc>${entry.lastmod ? `<lastmod>${escape(entry.lastmod)}</lastmod>` : ""}</url>`)
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls}\n</urlset>\n`;
}
