import { escape } from "../lib/html.js";

export const data = { permalink: "/404.html", eleventyExcludeFromCollections: true };

export function render({ build }) {
  return `<!DOCTYPE html>
<html lang="${escape(build.language)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Page not found</title><meta name="robots" content="noindex"><link rel="stylesheet" href="/assets/site.css"></head>
<body><main id="main"><h1>Page not found</h1><p>This address has no page. <a href="/">Go to the home page</a>.</p></main></body>
</html>
`;
}
