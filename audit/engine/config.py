"""Audit settings: crawl limits and check thresholds, all with documented defaults."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .errors import InvalidConfig
from .patterns import glob_problem, regex_problem
from .version import USER_AGENT


@dataclass(frozen=True)
class Bound:
    """The documented range of one numeric option, inclusive at both ends."""

    low: int | float
    high: int | float
    whole: bool  # only whole numbers (counts), else any number (seconds)
    optional: bool = False  # None is allowed and means "no limit" / "automatic"

    def problem(self, name: str, value: object) -> str | None:
        """A one-line message saying what is wrong with ``value``, or None when it is fine."""
        if value is None and self.optional:
            return None
        kind = "a whole number" if self.whole else "a number"
        number = (int,) if self.whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, number) or not math.isfinite(value):
            return f"{name} must be {kind} from {self.low} to {self.high}, got {value!r}"
        if not self.low <= value <= self.high:
            return f"{name} must be at least {self.low} and at most {self.high}, got {value}"
        return None


# The one table of option bounds: EngineConfig refuses values outside them, the command line's
# argparse types and the admin forms read their limits from here. Seconds for times.
OPTION_BOUNDS: dict[str, Bound] = {
    "max_pages": Bound(1, 100_000, whole=True),
    "max_depth": Bound(0, 1000, whole=True, optional=True),
    "concurrency": Bound(1, 32, whole=True),
    "delay": Bound(0, 60, whole=False),
    "max_crawl_delay": Bound(0, 60, whole=False),
    "timeout": Bound(1, 120, whole=False),
    "retries": Bound(0, 5, whole=True),
    "backoff": Bound(0, 60, whole=False),
    "retry_after_cap": Bound(0, 300, whole=False),
    "max_redirects": Bound(0, 20, whole=True),
    "max_bytes": Bound(1024, 100_000_000, whole=True),
    "sitemap_max_bytes": Bound(1024, 50_000_000, whole=True),
    "max_sitemaps": Bound(1, 1000, whole=True),
    "max_sitemap_urls": Bound(1, 1_000_000, whole=True),
    "time_budget": Bound(1, 24 * 60 * 60, whole=False, optional=True),
    "max_link_checks": Bound(0, 1_000_000, whole=True, optional=True),
    "parse_workers": Bound(0, 64, whole=True, optional=True),
    "max_links_per_page": Bound(1, 1_000_000, whole=True),
    "trap_budget": Bound(1, 100_000, whole=True),
    "backoff_max": Bound(0, 300, whole=False),
    "slow_remeasure": Bound(0, 10, whole=True),
    "page_retries": Bound(0, 3, whole=True),
    "page_retry_max": Bound(0, 100_000, whole=True),
    "image_max_bytes": Bound(1024, 100_000_000, whole=True),
    "browser_sample": Bound(1, 100_000, whole=True, optional=True),
    "browser_contexts": Bound(1, 16, whole=True),
    "browser_page_timeout": Bound(1, 300, whole=False),
    "browser_settle": Bound(0, 10, whole=False),
    "browser_lcp_ms": Bound(1, 60_000, whole=True),
    "browser_cls": Bound(0, 10, whole=False),
    "browser_tbt_ms": Bound(1, 60_000, whole=True),
}


@dataclass(frozen=True)
class Thresholds:
    """Numbers the checks compare against; override per site in settings."""

    title_min: int = 30
    title_max: int = 60
    description_min: int = 70
    description_max: int = 160
    alt_max: int = 100
    thin_content_words: int = 200
    slow_response_ms: int = 600


@dataclass(frozen=True)
class EngineConfig:
    """Everything that shapes one audit run. Defaults match issue #4."""

    max_pages: int = 10_000
    max_depth: int | None = None
    concurrency: int = 8
    delay: float = 0.0  # seconds between requests, across all workers
    max_crawl_delay: float = 5.0  # robots.txt Crawl-delay is honoured up to this many seconds
    timeout: float = 10.0  # connect and read timeout per request
    retries: int = 2  # extra attempts on connection errors, 429 and 503
    backoff: float = 0.5  # first retry wait; doubles each attempt
    retry_after_cap: float = 30.0  # never sleep longer than this for Retry-After
    max_redirects: int = 10
    max_bytes: int = 5_000_000
    sitemap_max_bytes: int = 50_000_000  # the sitemap protocol's own limit
    max_sitemaps: int = 50
    max_sitemap_urls: int = 100_000
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    ignore_robots: bool = False
    use_sitemaps: bool = True
    extra_hosts: tuple[str, ...] = ()
    strip_query_params: tuple[str, ...] = ("utm_*", "gclid", "fbclid", "mc_cid", "mc_eid")
    time_budget: float | None = None  # seconds for the whole run
    check_links: bool = True
    max_link_checks: int | None = None  # None: same as max_pages
    # Processes that fetch and parse pages. None: one per CPU (threads only for small
    # crawls and crawls with a delay); 0: fetch and parse in threads of this process.
    parse_workers: int | None = None
    single_page: bool = False
    user_agent: str = USER_AGENT
    disabled_checks: frozenset[str] = frozenset()
    thresholds: Thresholds = field(default_factory=Thresholds)
    # fetch limits
    # None: private addresses only when the start URL is private (the command line);
    # False: public addresses only, except trusted_hosts (the CMS admin); True: any.
    allow_private: bool | None = None
    trusted_hosts: tuple[str, ...] = ()  # "host" or "host:port" that may be private
    # parse limits
    max_links_per_page: int = 5_000  # links kept per page; the rest are counted, not checked
    # crawl trust
    trap_budget: int = 50  # URLs one endless pattern (?month=N, /a/b/a/b, session ids) may add
    backoff_max: float = 8.0  # longest wait between two attempts at one URL
    adaptive_concurrency: bool = True  # fewer requests at once while the server is slow
    slow_remeasure: int = 3  # sequential re-measurements of a page that looked slow
    # A page whose fetch timed out or could not connect is fetched again later in the run,
    # with a longer timeout, this many times; at most page_retry_max pages per run.
    page_retries: int = 1
    page_retry_max: int = 100
    image_max_bytes: int = 300_000  # img-too-heavy above this many bytes
    # browser pass (audit/engine/browser/): render pages in Chromium, run axe-core
    browser: bool = False
    browser_sample: int | None = None  # None: every HTML page; N: a sample covering each kind
    chromium_path: str = "/usr/bin/chromium"
    browser_contexts: int = 2  # pages rendered at once; one per core
    browser_page_timeout: float = 20.0  # seconds for one page: load, settle, both axe runs
    browser_settle: float = 0.5  # seconds after "load" for late scripts and layout shifts
    # Lighthouse's "good" limits for the lab metrics
    browser_lcp_ms: int = 2500
    browser_cls: float = 0.1
    browser_tbt_ms: int = 200
    # What is specific to the audited site (see SiteProfile); the default is any site.
    profile: SiteProfile | None = None

    def __post_init__(self) -> None:
        for name, bound in OPTION_BOUNDS.items():
            problem = bound.problem(name, getattr(self, name))
            if problem:
                raise InvalidConfig(problem)
        # Every user-supplied pattern, checked here so the CLI, crawl options and schedule
        # forms refuse what patterns.py cannot match in linear time before a run starts.
        for name, problem_of in (
            ("include", regex_problem),
            ("exclude", regex_problem),
            ("strip_query_params", glob_problem),
        ):
            patterns = getattr(self, name)
            if isinstance(patterns, str) or not isinstance(patterns, tuple | list):
                raise InvalidConfig(f"{name} must be a list of patterns, got {patterns!r}")
            for pattern in patterns:
                if problem := problem_of(pattern, f"{name} pattern"):
                    raise InvalidConfig(problem)

    @property
    def page_limit(self) -> int:
        return 1 if self.single_page else self.max_pages

    @property
    def link_check_limit(self) -> int:
        return self.max_pages if self.max_link_checks is None else self.max_link_checks

    def replace(self, **changes: Any) -> EngineConfig:
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready settings for the report."""
        data = dataclasses.asdict(self)
        data["disabled_checks"] = sorted(self.disabled_checks)
        for key in ("include", "exclude", "extra_hosts", "strip_query_params"):
            data[key] = list(data[key])
        data["profile"] = self.profile.as_dict() if self.profile is not None else None
        return data

    def profile_for(self, url: str) -> SiteProfile:
        """The site profile that describes ``url``'s site: the generic one unless the
        configured profile names no hosts or names the URL's host."""
        return site_profile_for(self.profile, url)


# site profile
# What the engine cannot know about a site and must not guess: which page types are its
# content, whether pages show view counts, the site's own name. The engine's defaults fit
# any site; a caller that knows its site (the CMS for its own pages, the CLI's --profile
# FILE) passes a SiteProfile.

PAGE_TYPES = ("article", "service", "listing")
SITE_NAME_MAX = 200


@dataclass(frozen=True)
class SiteProfile:
    """What a site's pages are expected to have."""

    # Page types whose pages carry the site's content (thin-content, view counts).
    content_types: frozenset[str] = frozenset({"article", "service"})
    # Whether content pages show their own view count (view-count-missing).
    views_expected: bool = False
    # The site's or organisation's name, as its titles should carry it; "" for unknown.
    site_name: str = ""
    # Hosts ("host" or "host:port") the profile describes; empty: every host crawled.
    hosts: tuple[str, ...] = ()
    # (URL path, page type) the site knows for its pages (the CMS from its page models);
    # they win over the type the engine reads from the markup.
    page_types: tuple[tuple[str, str], ...] = ()
    # The name of a <meta> tag whose content identifies the page's source (e.g. the id of
    # the CMS page a static front end built it from); "" for none. Reported per page as
    # PageReport.source_id.
    source_meta: str = ""
    _type_of_path: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_type_of_path", dict(self.page_types))
        unknown = sorted(
            (set(self.content_types) | set(self._type_of_path.values())) - set(PAGE_TYPES)
        )
        if unknown:
            raise InvalidConfig(f"unknown page type {unknown[0]!r}; use {', '.join(PAGE_TYPES)}")
        if not isinstance(self.views_expected, bool):
            raise InvalidConfig(
                f"views_expected must be true or false, got {self.views_expected!r}"
            )
        if not isinstance(self.site_name, str) or len(self.site_name) > SITE_NAME_MAX:
            raise InvalidConfig(f"site_name must be text of at most {SITE_NAME_MAX} characters")
        if not isinstance(self.source_meta, str) or len(self.source_meta) > SITE_NAME_MAX:
            raise InvalidConfig(f"source_meta must be a meta tag name, got {self.source_meta!r}")
        object.__setattr__(self, "source_meta", self.source_meta.strip().lower())

    @classmethod
    def from_dict(cls, data: Any) -> SiteProfile:
        """A profile from JSON-like data; a one-line InvalidConfig names what is wrong."""
        if not isinstance(data, dict):
            raise InvalidConfig(
                'a site profile must be a JSON object, e.g. {"views_expected": true}'
            )
        names = {f.name for f in dataclasses.fields(cls) if f.init}
        unknown = sorted(set(data) - names)
        if unknown:
            raise InvalidConfig(
                f"unknown site profile key {unknown[0]!r}; known: {', '.join(sorted(names))}"
            )
        values = dict(data)
        for key in ("content_types", "hosts"):
            if key in values:
                value = values[key]
                if not isinstance(value, list | tuple) or not all(
                    isinstance(v, str) for v in value
                ):
                    raise InvalidConfig(f"{key} must be a list of strings, got {value!r}")
        if "content_types" in values:
            values["content_types"] = frozenset(values["content_types"])
        if "hosts" in values:
            values["hosts"] = tuple(h.lower() for h in values["hosts"])
        if "page_types" in values:
            page_types = values["page_types"]
            if not isinstance(page_types, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in page_types.items()
            ):
                raise InvalidConfig(
                    'page_types must map URL paths to page types, e.g. {"/blog/": "listing"}'
                )
            values["page_types"] = tuple(sorted(page_types.items()))
        return cls(**values)

    def page_type_of(self, url: str) -> str | None:
        """The page type the site gave for ``url``'s path, or None."""
        if not self._type_of_path:
            return None
        return self._type_of_path.get(urlsplit(url).path or "/")

    def as_dict(self) -> dict[str, Any]:
        return {
            "content_types": sorted(self.content_types),
            "views_expected": self.views_expected,
            "site_name": self.site_name,
            "hosts": list(self.hosts),
            "page_types": self._type_of_path,
            "source_meta": self.source_meta,
        }


GENERIC_PROFILE = SiteProfile()
PROFILE_FILE_MAX_BYTES = 10_000_000


def load_profile(path: str) -> SiteProfile:
    """A SiteProfile from a JSON file; InvalidConfig says in one line what is wrong."""
    try:
        with open(path, "rb") as file:
            raw = file.read(PROFILE_FILE_MAX_BYTES + 1)
    except OSError as exc:
        raise InvalidConfig(f"cannot read site profile {path}: {exc.strerror or exc}") from None
    if len(raw) > PROFILE_FILE_MAX_BYTES:
        raise InvalidConfig(f"site profile {path} is larger than {PROFILE_FILE_MAX_BYTES} bytes")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise InvalidConfig(f"site profile {path} is not JSON: {exc}") from None
    try:
        return SiteProfile.from_dict(data)
    except InvalidConfig as exc:
        raise InvalidConfig(f"site profile {path}: {exc}") from None


def site_profile_for(profile: SiteProfile | None, url: str) -> SiteProfile:
    """``profile`` when it describes ``url``'s site, else the generic profile."""
    if profile is None:
        return GENERIC_PROFILE
    if not profile.hosts:
        return profile
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return GENERIC_PROFILE
    host_port = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if host in profile.hosts or host_port in profile.hosts:
        return profile
    return GENERIC_PROFILE
