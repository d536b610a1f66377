"""clinic-cms SEO audit engine: pure Python, no Django.

from audit.engine import audit_site, check_html, EngineConfig
result = audit_site("https://example.org/", EngineConfig(max_pages=500))
report = check_html("<html>…</html>", "https://example.org/draft/")

This package is the engine's public API: code outside audit/engine/ imports from here only
(tests/test_import_structure.py checks it), so the modules inside can change shape freely.
The names come in groups: running an audit, its configuration, its results and reports, the
errors it raises, the browser pass, the command line, and the crawling parts the importer
reuses (fetcher, frontier, URL scope and sitemaps).
"""

from .browser import AXE_VERSION, browser_check_html, chromium_problem
from .checks import REGISTRY, Check, check_info, finding, page_check, site_check
from .cli import EXIT_OK
from .cli import add_arguments as add_cli_arguments
from .cli import main as cli_main
from .cli import run as run_cli
from .config import OPTION_BOUNDS, EngineConfig, SiteProfile, Thresholds
from .crawl import RobotsDisallowed, audit_site
from .deadline import StopSignal
from .decode import decode_html
from .errors import (
    REDIRECT_REFUSALS,
    AuditError,
    FetchError,
    InvalidConfig,
    InvalidStartURL,
    UnsafeTarget,
    error_code,
)
from .facts import Heading, Hop, Image, JsonLd, Link, PageFacts
from .fetch import Fetcher, FetchResult
from .frontier import Frontier
from .parse import parse_html
from .policy import CrawlPolicy
from .report import render, render_html
from .results import (
    SEVERITIES,
    SEVERITY_RANK,
    AuditResult,
    Completeness,
    Finding,
    PageReport,
    StopReason,
    completeness_from_stats,
)
from .resume import KeptPage
from .single import check_html, check_html_facts
from .sitemaps import collect as collect_sitemaps
from .transport import PinnedAdapter
from .urls import (
    DEFAULT_PORTS,
    AddressGuard,
    Scope,
    host_of,
    is_public_address,
    normalize_url,
    validate_start_url,
)
from .urls import resolve as resolve_url
from .version import UA_TOKEN, USER_AGENT, __version__

__all__ = [
    "AXE_VERSION",
    "DEFAULT_PORTS",
    "EXIT_OK",
    "OPTION_BOUNDS",
    "REDIRECT_REFUSALS",
    "REGISTRY",
    "SEVERITIES",
    "SEVERITY_RANK",
    "UA_TOKEN",
    "USER_AGENT",
    "AddressGuard",
    "AuditError",
    "AuditResult",
    "Check",
    "Completeness",
    "CrawlPolicy",
    "EngineConfig",
    "FetchError",
    "FetchResult",
    "Fetcher",
    "Finding",
    "Frontier",
    "Heading",
    "Hop",
    "Image",
    "InvalidConfig",
    "InvalidStartURL",
    "JsonLd",
    "KeptPage",
    "Link",
    "PageFacts",
    "PageReport",
    "PinnedAdapter",
    "RobotsDisallowed",
    "Scope",
    "SiteProfile",
    "StopReason",
    "StopSignal",
    "Thresholds",
    "UnsafeTarget",
    "__version__",
    "add_cli_arguments",
    "audit_site",
    "browser_check_html",
    "check_html",
    "check_html_facts",
    "check_info",
    "chromium_problem",
    "cli_main",
    "collect_sitemaps",
    "completeness_from_stats",
    "decode_html",
    "error_code",
    "finding",
    "host_of",
    "is_public_address",
    "normalize_url",
    "page_check",
    "parse_html",
    "render",
    "render_html",
    "resolve_url",
    "run_cli",
    "site_check",
    "validate_start_url",
]
