"""Crawl options -> engine config: a run's options over SEO_AUDIT's over the engine's defaults.

``build_config(options, single_page=...)`` is the one way the Django side makes an
``EngineConfig``; fields not given keep ``EngineConfig()``'s defaults, the same ones
``python -m audit`` uses. Bad options raise ``InvalidOptions`` with a one-line message.

The engine is a general auditor; what is specific to this CMS's own sites arrives as a site
profile (``own_site_profile``): its content page types, the view counts its templates show,
its name, and each page's type from its model. It describes only this CMS's own hosts, so
an audit of any other site is judged by the engine's generic defaults. A ``profile`` crawl
option (a JSON object of SiteProfile fields) replaces it. The static front end built from this
CMS (``SEO_AUDIT["FRONTEND_URL"]``) gets the same profile on its own host, plus the meta tag
that names each page's CMS page (``frontend_profile``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from wagtail.models import Site

from audit.conf import CRAWL_OPTION_NAMES, THRESHOLD_NAMES, audit_setting
from audit.engine import AuditError, EngineConfig, SiteProfile, Thresholds
from audit.pagemap import PageLocator
from audit.targets import frontend_hosts, own_site_hosts
from cms.errors import InvalidInput

# Our page types with content (audit.pagemap maps models to types); every one shows its
# view count (pages/templates/pages/includes/view_count.html).
OWN_CONTENT_TYPES = frozenset({"article", "service"})

_TUPLE_FIELDS = {"include", "exclude", "extra_hosts", "strip_query_params"}


class InvalidOptions(InvalidInput):
    """Crawl options that the engine does not accept."""


def build_config(
    options: dict[str, Any] | None, *, single_page: bool = False, frontend: bool = False
) -> EngineConfig:
    """An EngineConfig from the site defaults (SEO_AUDIT) overlaid with ``options``.

    ``frontend``: the target is the static front end built from this CMS, so the profile is
    ``frontend_profile()`` (unless ``options`` give one).

    ``options`` uses EngineConfig field names; ``thresholds`` may be a dict of Thresholds
    fields. Raises InvalidOptions with a one-line message naming the bad key or value.
    """
    if options is not None and not isinstance(options, dict):
        raise InvalidOptions('crawl options must be a JSON object, e.g. {"max_pages": 500}')
    merged = {**audit_setting("CRAWL_OPTIONS"), **(options or {})}
    thresholds = {**audit_setting("THRESHOLDS"), **(merged.pop("thresholds", None) or {})}
    unknown = sorted(set(merged) - CRAWL_OPTION_NAMES)
    if unknown:
        raise InvalidOptions(
            f"unknown crawl option {unknown[0]!r}; known: {', '.join(sorted(CRAWL_OPTION_NAMES))}"
        )
    bad = sorted(set(thresholds) - THRESHOLD_NAMES)
    if bad:
        raise InvalidOptions(
            f"unknown threshold {bad[0]!r}; known: {', '.join(sorted(THRESHOLD_NAMES))}"
        )
    values: dict[str, Any] = {}
    for key, value in merged.items():
        if key == "profile":
            value = _profile_option(value)
        elif key in _TUPLE_FIELDS:
            value = (value,) if isinstance(value, str) else tuple(value or ())
        elif key == "disabled_checks":
            value = frozenset([value] if isinstance(value, str) else value or ())
        values[key] = value
    try:
        config = EngineConfig(
            **values, single_page=single_page, thresholds=Thresholds(**thresholds)
        )
    except AuditError as exc:
        raise InvalidOptions(str(exc)) from None
    except TypeError as exc:
        raise InvalidOptions(f"bad crawl option value: {exc}") from None
    # After the checks above, so refusing bad options needs no database.
    if "profile" in values:
        return config
    return config.replace(profile=frontend_profile() if frontend else own_site_profile())


def _profile_option(value: Any) -> SiteProfile | None:
    if value is None or isinstance(value, SiteProfile):
        return value
    try:
        return SiteProfile.from_dict(value)
    except AuditError as exc:
        raise InvalidOptions(str(exc)) from None


def own_site_profile() -> SiteProfile:
    """The profile of this CMS's own sites (see the module docstring)."""
    default = Site.objects.filter(is_default_site=True).first()
    return SiteProfile(
        content_types=OWN_CONTENT_TYPES,
        views_expected=True,
        site_name=(default.site_name if default else "")[:200],
        hosts=tuple(own_site_hosts()),
        page_types=tuple(sorted(PageLocator().page_types_by_path().items())),
    )


def frontend_profile() -> SiteProfile:
    """The profile of the static front end built from this CMS: the same pages (types, view
    counts, name) on the front end's host, each naming its CMS page in a meta tag."""
    return dataclasses.replace(
        own_site_profile(),
        hosts=tuple(frontend_hosts()),
        source_meta=audit_setting("FRONTEND_PAGE_META"),
    )
