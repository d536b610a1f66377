// Which pages a rebuild must write and which files it must remove, from the index of the last
// build (with the links each page's rich text made) and the CMS's index now. Event ids are
// hints: a page whose content changed without touching its listing entry is only known that way.

function isInNav(index, page) {
  return page.showInMenus && page.parentId !== null && index.get(page.parentId)?.parentId === null;
}

function ancestors(index, id) {
  const found = [];
  for (let page = index.get(id); page && page.parentId !== null; page = index.get(page.parentId)) {
    found.push(page.parentId);
  }
  return found;
}

/**
 * @param {object|null} previous  {pages: {id: {path, title, parentId, showInMenus, lastPublishedAt, links}}}
 * @param {Array} current  the CMS's index now (loadIndex)
 * @param {Iterable<number>} hinted  page ids named by events
 * @param {boolean} full  rebuild everything
 */
export function planRebuild(previous, current, hinted = [], full = false) {
  const now = new Map(current.map((page) => [page.id, page]));
  const before = new Map(Object.entries(previous?.pages || {}).map(([id, page]) => [Number(id), page]));
  const currentPaths = new Set(current.map((page) => page.path));
  const remove = new Set();
  for (const [id, old] of before) {
    const fresh = now.get(id);
    if ((!fresh || fresh.path !== old.path) && !currentPaths.has(old.path)) remove.add(old.path);
  }
  if (full || !previous) {
    return { render: new Set(now.keys()), remove: [...remove], reason: full ? "full rebuild asked for" : "no earlier build" };
  }

  const touched = new Set([...hinted].map(Number));
  const shapeChanged = new Set(); // title, address or menu place: shows on other pages
  for (const [id, fresh] of now) {
    const old = before.get(id);
    if (!old) {
      touched.add(id);
      shapeChanged.add(id);
    } else if (old.path !== fresh.path || old.title !== fresh.title || old.showInMenus !== fresh.showInMenus) {
      touched.add(id);
      shapeChanged.add(id);
    } else if (old.lastPublishedAt !== fresh.lastPublishedAt) {
      touched.add(id);
    }
  }
  for (const id of before.keys()) {
    if (!now.has(id)) {
      touched.add(id);
      shapeChanged.add(id);
    }
  }

  const navTouched = [...shapeChanged].some((id) => (now.has(id) && isInNav(now, now.get(id))) || (before.has(id) && isInNav(before, before.get(id))));
  if (navTouched) {
    return { render: new Set(now.keys()), remove: [...remove], reason: "a menu page changed" };
  }

  const render = new Set();
  for (const id of touched) {
    if (now.has(id)) render.add(id);
    // Listings that show it: its parents now and before (a move changes both).
    for (const parent of [...ancestors(now, id), ...ancestors(before, id)]) if (now.has(parent)) render.add(parent);
  }
  for (const id of shapeChanged) {
    const fresh = now.get(id);
    if (!fresh) continue;
    // Breadcrumbs below it carry its title and address.
    for (const page of current) if (page.path !== fresh.path && page.path.startsWith(fresh.path)) render.add(page.id);
  }
  // A rich text link shows only the linked page's address (its text is the editor's), so the
  // pages linking to a page are rebuilt when that address changes or the page goes away.
  const readdressed = new Set([...shapeChanged].filter((id) => !now.has(id) || !before.has(id) || now.get(id).path !== before.get(id).path));
  for (const [id, old] of before) {
    if (now.has(id) && (old.links || []).some((linked) => readdressed.has(linked))) render.add(id);
  }
  return { render, remove: [...remove], reason: `events for ${[...touched].sort((a, b) => a - b).join(", ") || "nothing"}` };
}
