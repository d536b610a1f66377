"""Crawl options as labelled form fields: one field per option, with its unit and bounds.

The bounds are the engine's (``audit.engine.OPTION_BOUNDS``, the table ``EngineConfig``
enforces); the labels and units are what a person reads. ``split_options`` puts a stored
options dict into the fields, leaving in "other options" every key no field can hold exactly
(a ``null`` limit, an empty list, a profile), so loading and saving a schedule loses nothing;
``merge_options`` puts the posted fields back over those other options.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms

from audit.conf import audit_setting
from audit.engine import OPTION_BOUNDS, EngineConfig

FIELD_PREFIX = "opt_"


@dataclass(frozen=True)
class OptionField:
    """One crawl option as a form field. ``kind``: number, yes/no, lines (a list) or text."""

    name: str
    label: str
    unit: str = ""
    kind: str = "number"
    none_means: str = "no limit"  # what a default of None does, for the help text

    @property
    def field_name(self) -> str:
        return FIELD_PREFIX + self.name

    def form_field(self, default: Any) -> forms.Field:
        label = f"{self.label} ({self.unit})" if self.unit else self.label
        if self.kind == "number":
            return _number_field(self, label, default)
        if self.kind == "yes/no":
            return forms.TypedChoiceField(
                label=label,
                required=False,
                choices=[("", f"Site default ({'yes' if default else 'no'})")]
                + [("yes", "Yes"), ("no", "No")],
                coerce=lambda value: value == "yes",
                empty_value=None,
            )
        if self.kind == "lines":
            shown = ", ".join(default) if default else "none"
            return forms.CharField(
                label=label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=f"One per line; empty: the site default ({shown}).",
            )
        return forms.CharField(
            label=label,
            required=False,
            max_length=500,
            help_text=f"Empty: the site default ({default}).",
        )

    def holds(self, value: Any) -> bool:
        """Whether the field shows ``value`` exactly, so saving it back keeps it."""
        if self.kind == "number":
            bound = OPTION_BOUNDS[self.name]
            kinds = (int,) if bound.whole else (int, float)
            return isinstance(value, kinds) and not isinstance(value, bool)
        if self.kind == "yes/no":
            return isinstance(value, bool)
        if self.kind == "lines":
            return (
                isinstance(value, list)
                and bool(value)
                and all(isinstance(v, str) and _one_line(v) for v in value)
            )
        return isinstance(value, str) and _one_line(value)

    def initial(self, value: Any) -> Any:
        if self.kind == "yes/no":
            return "yes" if value else "no"
        if self.kind == "lines":
            return "\n".join(value)
        return value

    def option(self, cleaned: Any) -> Any:
        """The option value of the field's cleaned value; None: not set (the site default)."""
        if self.kind == "lines":
            lines = [line.strip() for line in (cleaned or "").splitlines() if line.strip()]
            return lines or None
        if self.kind == "text":
            return (cleaned.strip() or None) if cleaned else None
        return cleaned


def _one_line(text: str) -> bool:
    return bool(text) and text == text.strip() and "\n" not in text and "\r" not in text


def _shown(number: float) -> str:
    """E.g. "100,000", "0.5": no exponent, as people write limits."""
    return f"{int(number):,}" if float(number).is_integer() else f"{number:,}"


def _number_field(spec: OptionField, label: str, default: Any) -> forms.Field:
    bound = OPTION_BOUNDS[spec.name]
    kind = "a whole number" if bound.whole else "a number"
    unit = f" {spec.unit}" if spec.unit else ""
    low, high = _shown(bound.low), _shown(bound.high)
    message = f"Use {kind} from {low} to {high}{unit}."
    shown = spec.none_means if default is None else _shown(default)
    help_text = f"From {low} to {high}; empty: the site default ({shown})."
    field_class: Callable[..., forms.Field] = (
        forms.IntegerField if bound.whole else forms.FloatField
    )
    return field_class(
        label=label,
        required=False,
        min_value=bound.low,
        max_value=bound.high,
        help_text=help_text,
        error_messages={"invalid": message, "min_value": message, "max_value": message},
    )


# Grouped as the schedule form shows them. Every bounded option has a field (a test checks).
OPTION_GROUPS: list[tuple[str, list[OptionField]]] = [
    (
        "How much to crawl",
        [
            OptionField("max_pages", "Pages at most", "pages"),
            OptionField("max_depth", "Link depth at most", "clicks from the start page"),
            OptionField("time_budget", "Time budget for the whole run", "seconds"),
            OptionField("include", "Only URLs matching", "regular expressions", "lines"),
            OptionField("exclude", "Leave out URLs matching", "regular expressions", "lines"),
            OptionField("extra_hosts", "Other hosts to crawl", "host or host:port", "lines"),
            OptionField("ignore_robots", "Ignore robots.txt", kind="yes/no"),
            OptionField("check_links", "Check links to pages not crawled", kind="yes/no"),
            OptionField(
                "max_link_checks", "Links checked at most", "links", none_means="as many as pages"
            ),
            OptionField("max_links_per_page", "Links kept per page", "links"),
            OptionField("max_bytes", "Page size at most", "bytes"),
            OptionField("trap_budget", "URLs one endless pattern may add", "URLs"),
            OptionField(
                "strip_query_params", "Query parameters left out of URLs", "globs", "lines"
            ),
            OptionField("disabled_checks", "Checks switched off", "check ids", "lines"),
        ],
    ),
    (
        "Politeness, timeouts and retries",
        [
            OptionField("concurrency", "Requests at once", "requests"),
            OptionField("adaptive_concurrency", "Fewer at once while slow", kind="yes/no"),
            OptionField("delay", "Delay between requests", "seconds"),
            OptionField("max_crawl_delay", "Longest robots.txt Crawl-delay honoured", "seconds"),
            OptionField("timeout", "Timeout per request", "seconds"),
            OptionField("retries", "Retries per request", "retries"),
            OptionField("backoff", "First retry wait", "seconds"),
            OptionField("backoff_max", "Longest wait between attempts", "seconds"),
            OptionField("retry_after_cap", "Longest Retry-After honoured", "seconds"),
            OptionField("max_redirects", "Redirects followed at most", "redirects"),
            OptionField("page_retries", "Later retries of a page that timed out", "retries"),
            OptionField("page_retry_max", "Pages retried later at most", "pages"),
            OptionField("slow_remeasure", "Re-measurements of a slow page", "measurements"),
            OptionField(
                "parse_workers",
                "Parse processes",
                "processes; 0: threads",
                none_means="one per CPU",
            ),
            OptionField("user_agent", "User agent", kind="text"),
        ],
    ),
    (
        "Sitemaps and images",
        [
            OptionField("use_sitemaps", "Read sitemaps", kind="yes/no"),
            OptionField("sitemap_max_bytes", "Sitemap size at most", "bytes"),
            OptionField("max_sitemaps", "Sitemaps read at most", "sitemaps"),
            OptionField("max_sitemap_urls", "Sitemap URLs at most", "URLs"),
            OptionField("image_max_bytes", "Image weight before “too heavy”", "bytes"),
        ],
    ),
    (
        "Browser pass",
        [
            OptionField(
                "browser_sample", "Pages rendered at most", "pages", none_means="every HTML page"
            ),
            OptionField("browser_contexts", "Pages rendered at once", "pages"),
            OptionField("browser_page_timeout", "Time per rendered page", "seconds"),
            OptionField("browser_settle", "Wait after the page loads", "seconds"),
            OptionField("browser_lcp_ms", "Largest Contentful Paint limit", "milliseconds"),
            OptionField("browser_cls", "Cumulative Layout Shift limit", "layout-shift score"),
            OptionField("browser_tbt_ms", "Total Blocking Time limit", "milliseconds"),
        ],
    ),
]

OPTION_FIELDS: dict[str, OptionField] = {
    spec.name: spec for _heading, specs in OPTION_GROUPS for spec in specs
}


def site_defaults() -> dict[str, Any]:
    """Each option's value when a schedule leaves it empty: SEO_AUDIT over the engine's."""
    engine = {f.name: getattr(EngineConfig(), f.name) for f in dataclasses.fields(EngineConfig)}
    return {**engine, **audit_setting("CRAWL_OPTIONS")}


def option_form_fields() -> dict[str, forms.Field]:
    """The form fields, by field name, with the current site defaults in their help."""
    defaults = site_defaults()
    return {
        spec.field_name: spec.form_field(defaults.get(spec.name)) for spec in OPTION_FIELDS.values()
    }


def split_options(options: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(initial values by field name, the other options no field holds exactly)."""
    initial: dict[str, Any] = {}
    other: dict[str, Any] = {}
    for key, value in (options or {}).items():
        spec = OPTION_FIELDS.get(key)
        if spec is not None and spec.holds(value):
            initial[spec.field_name] = spec.initial(value)
        else:
            other[key] = value
    return initial, other


def merge_options(
    cleaned: dict[str, Any], other: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """(the options: ``other`` with every filled field over it, errors by field name).

    An option given both in its field and, differently, in ``other`` is an error rather than
    a silent choice of one."""
    options = dict(other)
    errors: dict[str, str] = {}
    for spec in OPTION_FIELDS.values():
        value = spec.option(cleaned.get(spec.field_name))
        if value is None:
            continue
        if spec.name in other and other[spec.name] != value:
            errors[spec.field_name] = (
                f"{spec.name} is also set, to {other[spec.name]!r}, in the other options "
                "below; keep one."
            )
        options[spec.name] = value
    return options, errors
