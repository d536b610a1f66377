// Everything the front end knows about the site comes from the CMS's /api/v2/ through here.
const LISTING_LIMIT = 100; // the API's WAGTAILAPI_LIMIT_MAX
const REQUEST_TIMEOUT_MS = 15_000;
const DETAIL_CONCURRENCY = 8;

export class CmsError extends Error {}

export function settingsFromEnv(env = process.env) {
  const apiUrl = (env.CMS_API_URL || "http://127.0.0.1:8000").replace(/\/+$/, "");
  let cmsOrigin;
  try {
    cmsOrigin = new URL(apiUrl).origin;
  } catch {
    throw new CmsError(`CMS_API_URL=${apiUrl} is not a URL; set it to the CMS's address, e.g. http://127.0.0.1:8000`);
  }
  const port = env.FRONTEND_PORT || "8001";
  const frontendUrl = (env.FRONTEND_URL || `http://127.0.0.1:${port}`).replace(/\/+$/, "");
  const publicApiUrl = (env.CMS_PUBLIC_API_URL || apiUrl).replace(/\/+$/, "");
  return { apiUrl, cmsOrigin, publicApiUrl, frontendUrl, siteName: env.FRONTEND_SITE_NAME || "" };
}

export async function getJson(url, { headers = {}, allow404 = false } = {}) {
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json", ...headers }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    throw new CmsError(`cannot reach the CMS at ${url} (${error.cause?.code || error.name}); is it running, and is CMS_API_URL right?`);
  }
  if (allow404 && response.status === 404) return null;
  if (!response.ok) {
    const text = (await response.text()).slice(0, 200);
    throw new CmsError(`${url} answered ${response.status}: ${text}`);
  }
  return response.json();
}

async function listAll(settings, query) {
  const items = [];
  for (let offset = 0; ; offset += LISTING_LIMIT) {
    const url = `${settings.apiUrl}/api/v2/pages/?${query}&limit=${LISTING_LIMIT}&offset=${offset}`;
    const page = await getJson(url);
    items.push(...page.items);
    if (items.length >= page.meta.total_count || page.items.length === 0) return items;
  }
}

export function pathOf(htmlUrl) {
  return new URL(htmlUrl).pathname;
}

/** Every live public page: id, type, title, path, parent, menu flag, last publish time. */
export async function loadIndex(settings) {
  const items = await listAll(settings, "fields=show_in_menus,last_published_at");
  const byPath = new Map();
  const pages = items
    .filter((item) => item.meta.html_url)
    .map((item) => ({
      id: item.id,
      type: item.meta.type,
      title: item.title,
      path: pathOf(item.meta.html_url),
      showInMenus: Boolean(item.meta.show_in_menus),
      lastPublishedAt: item.meta.last_published_at || item.meta.first_published_at || null,
      origins: [new URL(item.meta.html_url).origin, new URL(item.meta.detail_url).origin],
    }));
  for (const page of pages) byPath.set(page.path, page);
  for (const page of pages) {
    const parentPath = page.path.replace(/[^/]+\/$/, "");
    page.parentId = parentPath !== page.path && byPath.has(parentPath) ? byPath.get(parentPath).id : null;
  }
  return pages;
}

/** Listing cards: every service and article with the fields their cards show. */
export async function loadCards(settings) {
  const [services, articles] = await Promise.all([
    listAll(settings, "type=pages.ServicePage&fields=introduction,session_length,hero_image"),
    listAll(settings, "type=pages.ArticlePage&fields=introduction,date,author"),
  ]);
  return { services, articles };
}

export async function loadDetails(settings, ids) {
  const queue = [...ids];
  const details = new Map();
  async function worker() {
    while (queue.length) {
      const id = queue.shift();
      // A page unpublished since the listing was read is simply skipped (404).
      const detail = await getJson(`${settings.apiUrl}/api/v2/pages/${id}/?rich_text_format=html`, { allow404: true });
      if (detail) details.set(id, detail);
    }
  }
  await Promise.all(Array.from({ length: Math.min(DETAIL_CONCURRENCY, queue.length) }, worker));
  return details;
}

/** The catch-up feed; null when the CMS has none (404). */
export async function readEvents(settings, token, after, limit = 200) {
  const url = `${settings.apiUrl}/api/v2/events/?after=${after}&limit=${limit}`;
  return getJson(url, { headers: { Authorization: `Bearer ${token}` }, allow404: true });
}

/**
 * Tells the CMS a deploy finished (POST /api/v2/deploys/, the feed token), so it audits the
 * front end: `paths` changed, or the whole site when empty. Returns {status, body}; never
 * throws, since a deploy stays live whatever the CMS answers.
 */
export async function reportDeploy(settings, token, paths) {
  try {
    const response = await fetch(`${settings.apiUrl}/api/v2/deploys/`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ changed_urls: paths }),
      signal: AbortSignal.timeout(30_000),
    });
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    return { status: response.status, body };
  } catch (error) {
    return { status: null, body: { message: `cannot reach the CMS (${error.cause?.code || error.name})` } };
  }
}
