// `node build.js [--full] [--changed=ID,ID]`: build dist/ from the CMS at CMS_API_URL. Without
// --full only what changed since the last build is written (see lib/plan.js); one JSON line
// on stdout says what was done.
import path from "node:path";
import { Eleventy } from "@11ty/eleventy";

import { CmsError, settingsFromEnv } from "./lib/cms.js";
import { directories, prepareBuild, removePageFiles, writeJsonAtomic } from "./lib/site.js";

export async function build({ full = false, hinted = [] } = {}, env = process.env) {
  const started = performance.now();
  const settings = settingsFromEnv(env);
  const dirs = directories(env);
  const prepared = await prepareBuild(settings, dirs, { full, hinted });
  const eleventy = new Eleventy(path.join(dirs.frontend, "src"), dirs.dist, {
    configPath: path.join(dirs.frontend, "eleventy.config.js"),
    quietMode: true,
    config(eleventyConfig) {
      eleventyConfig.addGlobalData("build", {
        rendered: prepared.rendered,
        sitemap: prepared.sitemap,
        frontendUrl: settings.frontendUrl,
        language: env.FRONTEND_LANGUAGE || "en-GB",
      });
    },
  });
  const writing = performance.now();
  await eleventy.write();
  const writeSeconds = Math.round(performance.now() - writing) / 1000;
  for (const urlPath of prepared.plan.remove) removePageFiles(dirs.dist, urlPath);
  writeJsonAtomic(prepared.stateFile, prepared.state);
  return {
    rendered: prepared.rendered.map((entry) => entry.path).sort(),
    removed: prepared.plan.remove,
    pages: prepared.index.length,
    reason: prepared.plan.reason,
    seconds: Math.round(performance.now() - started) / 1000,
    writeSeconds, // Eleventy's part; the rest is reading the API
  };
}

function parseArgs(argv) {
  const options = { full: false, hinted: [] };
  for (const arg of argv) {
    if (arg === "--full") options.full = true;
    else if (arg.startsWith("--changed=")) {
      options.hinted = arg.slice("--changed=".length).split(",").filter(Boolean).map(Number);
      if (options.hinted.some((id) => !Number.isInteger(id))) throw new CmsError(`--changed takes page ids separated by commas, not ${arg}`);
    } else throw new CmsError(`unknown argument ${arg}; use --full or --changed=ID,ID`);
  }
  return options;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.chdir(directories().frontend);
  try {
    const summary = await build(parseArgs(process.argv.slice(2)));
    console.log(JSON.stringify(summary));
  } catch (error) {
    console.error(`frontend build failed: ${error instanceof CmsError ? error.message : error.stack}`);
    process.exit(1);
  }
}
