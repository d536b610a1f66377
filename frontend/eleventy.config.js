// Eleventy writes (input src/, output FRONTEND_DIST or dist/, both given by build.js) the pages lib/site.js prepared (global data "build", added by build.js), the
// sitemap, robots.txt and the assets. Run through build.js, which reads the CMS first.
export default function (eleventyConfig) {
  eleventyConfig.addPassthroughCopy({ "src/assets": "assets" });
  // Browsers ask for /favicon.ico whatever the page links: without it every page logs a 404.
  eleventyConfig.addPassthroughCopy({ "src/favicon.ico": "favicon.ico" });
  eleventyConfig.setQuietMode(true);
  return {
    templateFormats: ["11ty.js"],
  };
}
