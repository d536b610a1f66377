// One build: read the CMS index, decide what to write, fetch those pages, and keep the state the
// next incremental build needs (frontend/.state/site.json).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { loadCards, loadDetails, loadIndex } from "./cms.js";
import { makeResolver } from "./links.js";
import { planRebuild } from "./plan.js";
import { renderPage } from "./render.js";

const FRONTEND_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export function directories(env = process.env) {
  return {
    frontend: FRONTEND_DIR,
    dist: path.resolve(env.FRONTEND_DIST || path.join(FRONTEND_DIR, "dist")),
    state: path.resolve(env.FRONTEND_STATE_DIR || path.join(FRONTEND_DIR, ".state")),
  };
}

export function readJson(file, fallback = null) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    if (error.code === "ENOENT") return fallback;
    throw new Error(`${file} is not valid JSON (${error.message}); delete it to start afresh`);
  }
}

/** Written to a temporary name and renamed, so a crash never leaves half a file. */
export function writeJsonAtomic(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(value));
  fs.renameSync(temporary, file);
}

function outputFileFor(dist, urlPath) {
  const relative = decodeURIComponent(urlPath).replace(/^\/+/, "");
  const file = path.resolve(dist, relative, "index.html");
  if (!file.startsWith(dist + path.sep)) throw new Error(`refusing to write outside dist: ${urlPath}`);
  return file;
}

export function removePageFiles(dist, urlPath) {
  const file = outputFileFor(dist, urlPath);
  fs.rmSync(file, { force: true });
  // Its folder goes too once empty; pages below it keep theirs.
  for (let dir = path.dirname(file); dir !== dist && dir.startsWith(dist); dir = path.dirname(dir)) {
    try {
      fs.rmdirSync(dir);
    } catch {
      break;
    }
  }
}

/**
 * Everything the templates need for this build, plus what to remove afterwards.
 * @param {object} settings  settingsFromEnv()
 * @param {{full?: boolean, hinted?: number[]}} options
 */
export async function prepareBuild(baseSettings, dirs, { full = false, hinted = [] } = {}) {
  const stateFile = path.join(dirs.state, "site.json");
  // Without dist/ there is nothing to update: everything is written, as on a first build.
  const previous = fs.existsSync(dirs.dist) ? readJson(stateFile) : null;
  const index = await loadIndex(baseSettings);
  // The API may be read at another address than the one its URLs use (a proxy, an internal
  // name): links to any of them are the CMS's own.
  const settings = { ...baseSettings, cmsOrigins: new Set([baseSettings.cmsOrigin, ...index.flatMap((page) => page.origins)]) };
  const plan = planRebuild(previous, index, hinted, full);
  const byPath = new Map(index.map((page) => [page.path, page]));
  const byId = new Map(index.map((page) => [page.id, page]));
  const [cards, details] = await Promise.all([loadCards(settings), loadDetails(settings, [...plan.render])]);
  const home = index.find((page) => page.parentId === null && page.path === "/") || index.find((page) => page.parentId === null);
  const site = {
    name: settings.siteName || home?.title || "Home",
    // The API does not say the site's language yet; the CMS's templates use en-GB.
    language: process.env.FRONTEND_LANGUAGE || "en-GB",
    nav: home ? index.filter((page) => page.parentId === home.id && page.showInMenus) : [],
    cards,
  };
  const { resolve, richText } = makeResolver(settings, byPath);
  const rendered = [];
  const links = new Map();
  for (const [id, detail] of details) {
    const linked = new Set();
    const ctx = {
      settings,
      site,
      resolve: (url) => resolve(url, linked),
      richText: (html) => richText(html, linked),
      parentIdOf: (pageId) => byId.get(pageId)?.parentId ?? null,
    };
    const page = byId.get(id);
    if (!page) continue;
    rendered.push({ id, path: page.path, html: renderPage(ctx, detail) });
    links.set(id, [...linked].filter((other) => other !== id));
  }
  const pagesState = {};
  for (const page of index) {
    const old = previous?.pages?.[page.id];
    pagesState[page.id] = {
      path: page.path,
      title: page.title,
      parentId: page.parentId,
      showInMenus: page.showInMenus,
      lastPublishedAt: page.lastPublishedAt,
      links: links.get(page.id) || old?.links || [],
    };
  }
  return {
    plan,
    rendered,
    index,
    sitemap: index.map((page) => ({ path: page.path, lastmod: page.lastPublishedAt })),
    state: { builtAt: new Date().toISOString(), apiUrl: settings.apiUrl, pages: pagesState },
    stateFile,
  };
}
