"""Recording and reading page views: the one place the counting rules live.

`record_view` is the single entry point: the public HTML page (via the `on_serve_page` hook in
`pageviews/wagtail_hooks.py`) and the headless beacon (`pageviews/beacon.py`) both call it,
so the rules cannot drift apart. A view is counted only when every rule passes, cheapest first:

    counting enabled → expected method (GET for pages, POST for the beacon) → not a preview →
    path not excluded → not a prefetch/prerender → not our SEO auditor (X-SEO-Audit) →
    not a bot or non-browser client → not a logged-in editor of the page →
    not a repeat by this reader (address + User-Agent) within the de-duplication window →
    this address's cap for the page not reached (ADDRESS_CAP views per ADDRESS_CAP_WINDOW,
    whatever the User-Agent, so one client cannot pump a count by varying it)

and is then stored with a single upsert statement (no read-modify-write, so no lost updates).
"""

from __future__ import annotations

import datetime
import enum
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils import timezone

from pageviews.bots import is_bot
from pageviews.conf import ViewCountSettings, view_count_settings
from pageviews.models import PageViewCount
from pageviews.readers import client_ip, daily_salt, reader_hash


class Channel(enum.Enum):
    """How the view reached us; decides the expected HTTP method."""

    PAGE = "GET"  # the server-rendered page
    BEACON = "POST"  # POST /api/v2/pages/<id>/view/ from a headless front end


class Outcome(enum.StrEnum):
    COUNTED = "counted"
    DISABLED = "disabled"
    METHOD = "method"
    PREVIEW = "preview"
    EXCLUDED_PATH = "excluded-path"
    PREFETCH = "prefetch"
    BOT = "bot"
    EDITOR = "editor"
    REPEAT = "repeat"
    AUDITOR = "auditor"
    ADDRESS_CAP = "address-cap"


@dataclass(frozen=True)
class ViewDecision:
    outcome: Outcome
    total: int | None = None  # the page's new total when counted (read in the same statement)

    @property
    def counted(self) -> bool:
        return self.outcome is Outcome.COUNTED


DEDUP_KEY_PREFIX = "page-views:seen:"
ADDRESS_KEY_PREFIX = "page-views:address:"
# Sent by the SEO audit engine on every request, whatever User-Agent a run is configured with.
AUDITOR_META_KEY = "HTTP_X_SEO_AUDIT"


def record_view(
    request: HttpRequest,
    page,
    *,
    channel: Channel,
    path: str | None = None,
    response: HttpResponse | None = None,
) -> ViewDecision:
    """Apply the counting rules to one request for `page` and count it if they all pass.

    `path` is the page's public path, used for PAGE_VIEWS["EXCLUDE_PATHS"]; it defaults to
    request.path (right for the HTML page; the beacon passes the page's own path).

    `response` is the page's answer when it is not rendered yet (Wagtail's TemplateResponse
    renders after the serve hooks): it is rendered here, showing the total the page is about to
    have, and the view is counted only when that succeeds. A page that fails in its template
    (a 500) counts nothing and leaves no de-duplication mark, so the reader's next try counts.
    """
    config = view_count_settings()
    taken: list[str] = []
    outcome = _excluded_by(request, page, channel, path, config, taken)
    if outcome is not None:
        return ViewDecision(outcome)
    if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
        page.__dict__["view_count"] = view_total(page.pk) + 1
        try:
            response.render()
        except BaseException:
            caches[config.CACHE_ALIAS].delete_many(taken)
            raise
        increment(page.pk, with_total=False)  # the page already shows its new total
        return ViewDecision(Outcome.COUNTED, page.view_count)
    total = increment(page.pk)
    # The page about to be rendered shows this total without asking the database again.
    page.__dict__["view_count"] = total
    return ViewDecision(Outcome.COUNTED, total)


def _excluded_by(
    request: HttpRequest,
    page,
    channel: Channel,
    path: str | None,
    config: ViewCountSettings,
    taken: list[str],
) -> Outcome | None:
    """The first rule that excludes the request, or None; ``taken`` receives the cache keys
    the passing rules claimed (the reader's de-duplication mark, an address-cap slot)."""
    if not config.ENABLED:
        return Outcome.DISABLED
    if request.method != channel.value:
        return Outcome.METHOD  # HEAD, OPTIONS…: nobody read anything
    if getattr(request, "is_preview", False):
        return Outcome.PREVIEW
    if config.EXCLUDE_PATHS:
        public_path = request.path if path is None else path
        if public_path.startswith(config.EXCLUDE_PATHS):
            return Outcome.EXCLUDED_PATH
    if is_prefetch(request):
        return Outcome.PREFETCH
    if request.META.get(AUDITOR_META_KEY):
        return Outcome.AUDITOR
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    if is_bot(user_agent, config):
        return Outcome.BOT
    if not config.COUNT_EDITORS and _is_editor_of(request, page):
        return Outcome.EDITOR
    if config.DEDUP_WINDOW and _seen_recently(request, page, user_agent, config, taken):
        return Outcome.REPEAT
    if (
        config.ADDRESS_CAP
        and config.ADDRESS_CAP_WINDOW
        and address_cap_reached(request, page, config, taken)
    ):
        return Outcome.ADDRESS_CAP
    return None


def is_prefetch(request: HttpRequest) -> bool:
    """Speculative loads the browser may never show: Sec-Purpose / Purpose / X-Moz / X-Purpose."""
    headers = request.headers
    for name in ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz"):
        value = headers.get(name, "").lower()
        if "prefetch" in value or "prerender" in value or "preview" in value:
            return True
    return False


def _is_editor_of(request: HttpRequest, page) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False  # anonymous readers cost no queries here
    return user.is_superuser or page.permissions_for_user(user).can_edit()


def _seen_recently(
    request: HttpRequest, page, user_agent: str, config: ViewCountSettings, taken: list[str]
) -> bool:
    """True if this reader viewed this page within the window; marks the view as seen otherwise."""
    cache = caches[config.CACHE_ALIAS]
    salt = daily_salt(cache, timezone.localdate())
    ip = client_ip(request, config.CLIENT_IP_HEADER)
    key = DEDUP_KEY_PREFIX + reader_hash(salt, ip, user_agent, page.pk)
    # add() is atomic in every shared backend: exactly one of two racing requests wins.
    if not cache.add(key, 1, config.DEDUP_WINDOW):
        return True
    taken.append(key)
    return False


def address_cap_reached(
    request: HttpRequest, page, config: ViewCountSettings, taken: list[str] | None = None
) -> bool:
    """True if this address already had ADDRESS_CAP counted views of the page in the window;
    takes one of its slots otherwise (its key added to ``taken``).

    Each counted view holds one of ADDRESS_CAP cache keys ("slots") for ADDRESS_CAP_WINDOW
    seconds, so no window of that length ever holds more counted views. Slots are taken with
    add() (atomic in Redis, Memcached and the database cache, as the de-duplication relies on)
    rather than incr(), which Django's file and database caches emulate with get+set (lost
    updates, and the key's expiry reset on every call). The hashed address changes with the
    daily salt, so the cap starts afresh at midnight.
    """
    cache = caches[config.CACHE_ALIAS]
    salt = daily_salt(cache, timezone.localdate())
    address = reader_hash(salt, client_ip(request, config.CLIENT_IP_HEADER), page.pk)
    slots = [f"{ADDRESS_KEY_PREFIX}{address}:{slot}" for slot in range(config.ADDRESS_CAP)]
    held = cache.get_many(slots)  # one round trip to skip the slots already held
    for key in slots:
        # A racing request may take a free slot first: add() then fails and the next is tried.
        if key not in held and cache.add(key, 1, config.ADDRESS_CAP_WINDOW):
            if taken is not None:
                taken.append(key)
            return False
    return True


def increment(
    page_id: int, day: datetime.date | None = None, *, with_total: bool = True
) -> int | None:
    """Add one view to `page_id` for `day` (today, local time); return the page's new total
    (None with ``with_total=False``: one statement on every database).

    The increment is one INSERT … ON CONFLICT … DO UPDATE (PostgreSQL and SQLite 3.24+): the
    database applies it under the row's lock, so concurrent requests never lose one.
    """
    day = day or timezone.localdate()
    table = connection.ops.quote_name(PageViewCount._meta.db_table)
    upsert = (
        f"INSERT INTO {table} (page_id, date, count) {{rows}} "
        f"ON CONFLICT (page_id, date) DO UPDATE SET count = {table}.count + 1"
    )
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(upsert.format(rows="VALUES (%s, %s, 1)"), [page_id, day])
            if not with_total:
                return None
            cursor.execute(f"SELECT SUM(count) FROM {table} WHERE page_id = %s", [page_id])
            return int(cursor.fetchone()[0])
        rows = "VALUES (%s, %s, 1)"
        if not connection.in_atomic_block and view_count_settings().ASYNC_COMMIT:
            # The statement is its own transaction here, so set_config(…, true) applies to its
            # commit only: the request does not wait for the WAL flush. The increment is
            # the same; only a PostgreSQL crash in the next
            # fraction of a second could forget it. Never used inside a wider transaction.
            rows = (
                "SELECT %s, %s, 1 "
                "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit"
            )
        if not with_total:
            cursor.execute(upsert.format(rows=rows), [page_id, day])
            return None
        # One round trip for the increment and the new total. The WITH query's snapshot does
        # not see the upsert, so: today's count as RETURNING gives it + every other day's.
        cursor.execute(
            f"WITH today AS ({upsert.format(rows=rows)} RETURNING count) "
            f"SELECT (SELECT count FROM today) + COALESCE((SELECT SUM(count) FROM {table} "
            f"WHERE page_id = %s AND date <> %s), 0)",
            [page_id, day, page_id, day],
        )
        return int(cursor.fetchone()[0])


def add_views(page_id: int, views: int, day: datetime.date) -> None:
    """Add ``views`` to the page's count for ``day`` in one upsert (a merge of an old page's
    count into this one's); the caller makes sure it is added once."""
    if views <= 0:
        return
    table = connection.ops.quote_name(PageViewCount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (page_id, date, count) VALUES (%s, %s, %s) "
            f"ON CONFLICT (page_id, date) DO UPDATE SET count = {table}.count + excluded.count",
            [page_id, day, views],
        )


def view_totals(page_ids: Iterable[int]) -> dict[int, int]:
    """Total views for each page id, in one query: {page_id: total}, 0 for pages with none.

    For listings and reports (the API, audits, the admin) so they need not ask page by page:
        totals = view_totals(page.pk for page in pages)
    """
    ids = list(dict.fromkeys(page_ids))
    totals = dict.fromkeys(ids, 0)
    if not ids:
        return totals
    # Written out: every uncached API answer that shows counts runs this, and building and
    # compiling the grouped query in the ORM cost several times the query's own work.
    with connection.cursor() as cursor:
        cursor.execute(_totals_sql().format(marks=", ".join(["%s"] * len(ids))), ids)
        totals.update(cursor.fetchall())
    return totals


@functools.cache
def _totals_sql() -> str:
    quote = connection.ops.quote_name
    meta = PageViewCount._meta
    page_id, count = (quote(meta.get_field(name).column) for name in ("page", "count"))
    return (
        f"SELECT {page_id}, SUM({count}) FROM {quote(meta.db_table)} "
        f"WHERE {page_id} IN ({{marks}}) GROUP BY {page_id}"
    )


def view_total(page_id: int) -> int:
    """One page's total views (the sum of its daily counts)."""
    return view_totals([page_id])[page_id]
