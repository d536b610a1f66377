"""clinic-cms SEO audit engine: pure Python, no Django.

from audit.engine import audit_site, check_html, AuditConfig
result = audit_site("https://example.org/", AuditConfig(max_pages=500))
report = check_html("<html>…</html>", "https://example.org/draft/")
"""

from .checks import REGISTRY, Check, check_info, finding, page_check, site_check
from .config import AuditConfig, Thresholds
from .crawl import RobotsDisallowed, audit_site
from .errors import AuditError, InvalidConfig, InvalidStartURL, UnsafeTarget
from .facts import Heading, Hop, Image, JsonLd, Link, PageFacts
from .parse import parse_html
from .results import SEVERITIES, AuditResult, Finding, PageReport
from .single import check_html, check_html_facts
from .version import USER_AGENT, __version__

__all__ = [
    "REGISTRY",
    "SEVERITIES",
    "USER_AGENT",
    "AuditConfig",
    "AuditError",
    "AuditResult",
    "Check",
    "Finding",
    "Heading",
    "Hop",
    "Image",
    "InvalidConfig",
    "InvalidStartURL",
    "JsonLd",
    "Link",
    "PageFacts",
    "PageReport",
    "RobotsDisallowed",
    "Thresholds",
    "UnsafeTarget",
    "__version__",
    "audit_site",
    "check_html",
    "check_info",
    "check_html_facts",
    "finding",
    "page_check",
    "parse_html",
    "site_check",
]
