// `node server.js`: serve dist/ on FRONTEND_PORT and rebuild from the CMS's signed webhooks.
//
// POST /_webhooks  verified with the standardwebhooks package (FRONTEND_WEBHOOK_SECRET); page
//                  events are gathered for FRONTEND_DEBOUNCE_MS after the last one (at most
//                  FRONTEND_MAX_WAIT_MS after the first), then one `build.js --changed=…` runs.
// GET  /_status    JSON: builds done, the last build's summary, events waiting.
// On start, and with every rebuild, the CMS's event feed (/api/v2/events/, FRONTEND_FEED_TOKEN)
// is read from the last sequence seen (.state/feed.json), so events missed while this server was
// down are caught up without a full rebuild. Without a feed (404 or no token) it rebuilds all.
// After each build, with a feed token, it reports the deploy to the CMS (POST /api/v2/deploys/
// with the paths written, none after a full build), which audits them on the front end;
// FRONTEND_REPORT_DEPLOYS=0 turns that off.
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Webhook } from "standardwebhooks";

import { CmsError, readEvents, reportDeploy, settingsFromEnv } from "./lib/cms.js";
import { directories, readJson, writeJsonAtomic } from "./lib/site.js";

const MAX_BODY_BYTES = 256 * 1024; // the CMS caps payloads at 64 KB
const REMEMBERED_WEBHOOK_IDS = 2000;
const FEED_PAGE = 200;
const MAX_DEPLOY_PATHS = 500; // the CMS's limit on changed_urls (audit/deploys.py)
const PAGE_EVENTS = new Set(["page.published", "page.unpublished", "page.deleted", "page.moved"]);
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
};

function log(message, fields = {}) {
  console.log(JSON.stringify({ time: new Date().toISOString(), message, ...fields }));
}

function positiveNumber(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new CmsError(`${name}=${raw} must be a number of milliseconds (0 or more)`);
  return value;
}

/** Runs one build at a time; requests that arrive meanwhile are merged into the next one. */
class Rebuilder {
  constructor({ env, dirs, settings, debounceMs, maxWaitMs, feedToken, reportDeploys }) {
    Object.assign(this, { env, dirs, settings, debounceMs, maxWaitMs, feedToken, reportDeploys });
    this.deploys = [];
    this.pending = new Set();
    this.full = false;
    this.waitingSince = null;
    this.timer = null;
    this.running = null;
    this.builds = 0;
    this.failures = 0;
    this.last = null;
    this.feedMissing = false;
    this.feedFile = path.join(dirs.state, "feed.json");
  }

  request(ids, { full = false, now = false } = {}) {
    for (const id of ids) this.pending.add(id);
    this.full ||= full;
    this.waitingSince ??= Date.now();
    clearTimeout(this.timer);
    const waited = Date.now() - this.waitingSince;
    const delay = now ? 0 : Math.max(0, Math.min(this.debounceMs, this.maxWaitMs - waited));
    this.timer = setTimeout(() => this.run(), delay);
  }

  async run() {
    if (this.running) {
      await this.running; // the requests that came in meanwhile get their own build next
      if (this.pending.size || this.full) this.request([], { now: true });
      return;
    }
    this.running = this.#buildOnce().finally(() => {
      this.running = null;
    });
    await this.running;
  }

  async #buildOnce() {
    const feed = await this.readFeed();
    const ids = new Set([...this.pending, ...feed.ids]);
    const full = this.full || feed.full;
    this.pending.clear();
    this.full = false;
    this.waitingSince = null;
    const args = full ? ["--full"] : [`--changed=${[...ids].join(",")}`];
    const result = await runBuild(this.dirs.frontend, args, this.env);
    if (result.ok) {
      this.builds += 1;
      this.last = result.summary;
      if (feed.nextAfter !== null) writeJsonAtomic(this.feedFile, { after: feed.nextAfter });
      log("rebuilt", { ...result.summary, events: ids.size });
      await this.report(full, result.summary.rendered);
    } else {
      this.failures += 1;
      // Nothing is lost: the same pages are asked for again with the next event or restart.
      for (const id of ids) this.pending.add(id);
      this.full ||= full;
      log("rebuild failed; the pages will be built with the next event", { error: result.error });
    }
  }

  /** Tells the CMS the build is live so it audits it; its answer is logged, never fatal. */
  async report(full, rendered) {
    if (!this.reportDeploys || !this.feedToken || (!full && !rendered.length)) return;
    // None: the whole site (also when more pages were written than the CMS takes in one call).
    const paths = full || rendered.length > MAX_DEPLOY_PATHS ? [] : rendered;
    const { status, body } = await reportDeploy(this.settings, this.feedToken, paths);
    const deploy = { status, run: body?.run?.id ?? null, paths: paths.length ? paths : "all", message: body?.message ?? null };
    this.deploys.push(deploy);
    if (this.deploys.length > 20) this.deploys.shift();
    log(status === 202 ? "deploy reported; the CMS audits it" : "deploy not audited by the CMS", deploy);
  }

  /** Page ids from the event feed since the last sequence built, and where it ends now. */
  async readFeed() {
    const none = { ids: [], full: false, nextAfter: null };
    if (!this.feedToken || this.feedMissing) return none;
    const saved = readJson(this.feedFile);
    const fastForward = saved === null; // first start: the full build covers everything before
    let after = saved?.after ?? 0;
    const ids = new Set();
    try {
      for (;;) {
        const page = await readEvents(this.settings, this.feedToken, after, FEED_PAGE);
        if (page === null) {
          this.feedMissing = true;
          log("the CMS has no event feed (/api/v2/events/ answered 404); using webhooks only, with a full rebuild to catch up");
          return { ids: [], full: true, nextAfter: null };
        }
        if (!fastForward) for (const item of page.items) for (const id of pageIdsOf(item)) ids.add(id);
        after = page.next_after;
        if (!page.has_more) break;
      }
    } catch (error) {
      log("cannot read the event feed; building from the webhooks received", { error: error.message });
      return none;
    }
    return { ids: [...ids], full: fastForward, nextAfter: after };
  }
}

function pageIdsOf(event) {
  if (!PAGE_EVENTS.has(event.type)) return [];
  const data = event.data || {};
  const ids = Number.isInteger(data.page_id) ? [data.page_id] : [];
  for (const moved of data.descendants || []) if (Number.isInteger(moved.page_id)) ids.push(moved.page_id);
  return ids;
}

function runBuild(cwd, args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["build.js", ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => {
      if (code !== 0) return resolve({ ok: false, error: stderr.trim().split("\n").slice(-3).join(" ") || `exit ${code}` });
      const line = stdout.trim().split("\n").pop();
      try {
        resolve({ ok: true, summary: JSON.parse(line) });
      } catch {
        resolve({ ok: false, error: `build printed no summary: ${line}` });
      }
    });
  });
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    request.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("too large"));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function sendJson(response, status, value) {
  const body = JSON.stringify(value);
  response.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" });
  response.end(body);
}

function serveFile(dist, request, response) {
  let urlPath;
  try {
    urlPath = decodeURIComponent(new URL(request.url, "http://front.invalid").pathname);
  } catch {
    return sendJson(response, 400, { error: "The address is not valid URL encoding." });
  }
  let file = path.resolve(dist, `.${urlPath}`);
  if (file !== dist && !file.startsWith(dist + path.sep)) return notFound(dist, response);
  let stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat?.isDirectory()) {
    if (!urlPath.endsWith("/")) {
      response.writeHead(301, { Location: `${urlPath}/` });
      return response.end();
    }
    file = path.join(file, "index.html");
    stat = fs.statSync(file, { throwIfNoEntry: false });
  }
  if (!stat?.isFile()) return notFound(dist, response);
  const type = TYPES[path.extname(file)] || "application/octet-stream";
  response.writeHead(200, { "Content-Type": type, "Content-Length": stat.size, "Cache-Control": "no-cache" });
  if (request.method === "HEAD") return response.end();
  fs.createReadStream(file).pipe(response);
}

function notFound(dist, response) {
  const page = path.join(dist, "404.html");
  const body = fs.existsSync(page) ? fs.readFileSync(page) : "Not found";
  response.writeHead(404, { "Content-Type": "text/html; charset=utf-8" });
  response.end(body);
}

export function startServer(env = process.env) {
  const settings = settingsFromEnv(env);
  const dirs = directories(env);
  const port = Number(env.FRONTEND_PORT || 8001);
  const host = env.FRONTEND_HOST || "127.0.0.1";
  const secret = env.FRONTEND_WEBHOOK_SECRET || "";
  let verifier = null;
  if (secret) {
    try {
      verifier = new Webhook(secret);
    } catch (error) {
      throw new CmsError(`FRONTEND_WEBHOOK_SECRET is not a Standard Webhooks secret (whsec_…): ${error.message}`);
    }
  }
  const rebuilder = new Rebuilder({
    env,
    dirs,
    settings,
    debounceMs: positiveNumber(env, "FRONTEND_DEBOUNCE_MS", 1000),
    maxWaitMs: positiveNumber(env, "FRONTEND_MAX_WAIT_MS", 5000),
    feedToken: env.FRONTEND_FEED_TOKEN || "",
    reportDeploys: env.FRONTEND_REPORT_DEPLOYS !== "0",
  });
  const seen = new Set();

  async function receiveWebhook(request, response) {
    if (!verifier) return sendJson(response, 503, { error: "Webhooks are off: set FRONTEND_WEBHOOK_SECRET to the endpoint's secret." });
    let body;
    try {
      body = await readBody(request);
    } catch {
      return sendJson(response, 413, { error: `The body is over ${MAX_BODY_BYTES} bytes.` });
    }
    let event;
    try {
      event = verifier.verify(body.toString("utf8"), request.headers);
    } catch (error) {
      log("webhook refused", { reason: error.message, id: request.headers["webhook-id"] || null });
      return sendJson(response, 401, { error: `Signature not accepted: ${error.message}` });
    }
    const id = request.headers["webhook-id"];
    if (seen.has(id)) return sendJson(response, 200, { status: "duplicate" });
    seen.add(id);
    if (seen.size > REMEMBERED_WEBHOOK_IDS) seen.delete(seen.values().next().value);
    const ids = pageIdsOf(event);
    if (ids.length) rebuilder.request(ids);
    log("webhook", { id, type: event.type, pages: ids });
    return sendJson(response, 202, { status: ids.length ? "rebuild queued" : "nothing to rebuild" });
  }

  const server = http.createServer((request, response) => {
    const { pathname } = new URL(request.url, "http://front.invalid");
    if (pathname === "/_webhooks") {
      if (request.method !== "POST") return sendJson(response, 405, { error: "POST webhooks here." });
      receiveWebhook(request, response).catch((error) => sendJson(response, 500, { error: error.message }));
      return;
    }
    if (pathname === "/_status") {
      return sendJson(response, 200, {
        builds: rebuilder.builds,
        failures: rebuilder.failures,
        last: rebuilder.last,
        waiting: rebuilder.pending.size,
        building: Boolean(rebuilder.running),
        deploys: rebuilder.deploys,
      });
    }
    if (request.method !== "GET" && request.method !== "HEAD") return sendJson(response, 405, { error: "Only GET and HEAD." });
    serveFile(dirs.dist, request, response);
  });
  server.listen(port, host, () => {
    log(`serving ${dirs.dist} on http://${host}:${port}/`, { webhooks: Boolean(verifier), feed: Boolean(rebuilder.feedToken) });
    if (!rebuilder.feedToken) {
      // The page list's publish times and addresses still show what changed while down.
      log("no FRONTEND_FEED_TOKEN: catching up by comparing the CMS's page list with the last build");
      rebuilder.request([], { now: true });
    } else {
      rebuilder.request([], { now: true }); // catch up from the feed
    }
  });
  return { server, rebuilder };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const { server } = startServer();
    const stop = () => server.close(() => process.exit(0));
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  } catch (error) {
    console.error(`frontend server: ${error.message}`);
    process.exit(1);
  }
}
