export const data = { permalink: "/robots.txt", eleventyExcludeFromCollections: true };

// Only the front end's own webhook receiver is off limits; every page here is public.
export function render({ build }) {
  return `User-agent: *\nDisallow: /_webhooks\n\nSitemap: ${build.frontendUrl}/sitemap.xml\n`;
}
