"""Check a page's current draft before it is published: render it, run the page checks.

The draft is the page's latest revision, rendered on the server the way Wagtail's preview
renders it (``make_preview_request``: a dummy anonymous request through the middleware, so
the HTML has no admin userbar and no view is counted), with the page's own template even when
editor previews go to a headless front end. The engine's ``check_html`` then runs
every page check and the site checks that need no crawl on that HTML. Nothing is fetched over
the network, nothing is stored, nothing is published.

The result is compared with the page's latest stored audit by fingerprint (check + URL +
selector, as runs are compared), so the editor sees what the draft fixes and what it adds.

With the browser pass (on by default where Chromium is installed), the same HTML is also
rendered in Chromium as if served at the page's URL (``browser_check_html``): its images,
styles and scripts load from the live site, axe-core runs in light and dark schemes, and the
findings merge with the static ones as in a run. One page costs a few seconds, and what it
finds (contrast, alt text, headings, scripts) is what an editor's changes break; a stored
browser finding is only "fixed" when the draft was rendered too.

Before any of that, the draft goes through the page's own edit form as "Submit" and "Publish"
validate it (required fields not deferred, every block's and the model's ``clean()``), so a
draft that could not be submitted or published says so first, in the form's own words
(``blocking_problems``).
"""

from __future__ import annotations

import time
import types
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT
from wagtail.blocks import Block, ListBlock, StreamBlock, StructBlock
from wagtail.models import Page, PreviewableMixin, Revision

from audit.conf import audit_setting
from audit.engine import (
    AuditError,
    EngineConfig,
    PageReport,
    StopSignal,
    browser_check_html,
    check_html,
    check_info,
    chromium_problem,
)
from audit.models import Finding, PageResult
from audit.options import InvalidOptions, build_config
from audit.services import latest_page_result
from audit.targets import admin_engine_overrides
from cms.errors import ClinicError

# The whole browser check of one draft, Chromium's start and one retry included: the
# editor waits for it.
DRAFT_BROWSER_SECONDS = 40.0


class DraftCheckError(ClinicError):
    """The draft could not be rendered or checked; ``str()`` is the message to show."""


@dataclass(frozen=True)
class BlockingProblem:
    """One reason the draft cannot be submitted or published, worded as the edit form words it."""

    where: str  # "Article date", "Body → block 3 (Image) → Alt text"; "" for the whole page
    message: str  # the form's own error message
    field: str = ""  # the form field's name ("" for errors of the whole form)
    block_id: str = ""  # the id of the StreamField block the error is in, if any


@dataclass
class DraftCheck:
    page: Page
    revision: Revision | None
    url: str
    report: PageReport
    latest: PageResult | None  # the page's latest stored audit result, if any
    # What "Submit" or "Publish" would refuse, listed before the SEO findings.
    blocking: list[BlockingProblem] = field(default_factory=list)
    new_fingerprints: set[str] = field(default_factory=set)  # in the draft, not in `latest`
    fixed: list[Finding] = field(default_factory=list)  # in `latest`, gone in the draft
    # In `latest` from checks a draft cannot answer (response time, links, duplicates...).
    not_rechecked: list[Finding] = field(default_factory=list)
    browser_requested: bool = False
    browser_rendered: bool = False  # the draft was rendered in Chromium and axe ran
    browser_error: str = ""  # one line: Chromium missing, or the draft could not be rendered
    browser_stats: dict[str, Any] = field(default_factory=dict)
    # The latest audit rendered this page in a browser too, so its browser findings compare.
    latest_had_browser: bool = False

    def fingerprint(self, check_id: str, selector: str) -> str:
        return Finding.make_fingerprint(check_id, self.url, selector)


def rechecked_on_draft(check_id: str, *, browser_rendered: bool = False) -> bool:
    """Whether the draft check answers this check again: the page checks that read only the
    page's HTML, and the browser's checks when the draft was rendered in Chromium. Checks of
    the response (time, size, status) or of the whole site (links, duplicates, robots) need
    a real crawl, so their stored findings are neither fixed nor still open as far as a
    draft can tell."""
    check = check_info(check_id)
    if check is None:
        return False
    if check.scope == "browser":
        return browser_rendered
    return check.scope == "page" and check.content_only


def browser_default() -> bool:
    """Whether "Check this draft" renders the draft in Chromium unless told otherwise: yes
    where the configured Chromium is installed."""
    # The one option it needs, without build_config's site profile (a query over the pages).
    chromium_path = audit_setting("CRAWL_OPTIONS").get("chromium_path", EngineConfig.chromium_path)
    return isinstance(chromium_path, str) and chromium_problem(chromium_path) is None


def draft_url(page: Page) -> str:
    """Where the page is (or will be) served; the checks resolve links against it."""
    url = page.get_full_url()
    if url:
        return url
    # Not routable yet (e.g. a new page outside any site): a stand-in on the admin's host.
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/__draft__/{page.pk}/"


def render_draft(page: Page) -> tuple[Page, Revision | None, str]:
    """The latest revision as a page object, that revision, and its rendered HTML."""
    page = page.specific
    revision = page.get_latest_revision()
    draft = revision.as_object() if revision is not None else page
    # Wagtail's own preview rendering (the page's template), also when a headless front end
    # takes over the editor's preview (pages/api/preview.py): the check is about the HTML this
    # site serves. Set on this throwaway draft object only.
    draft.serve_preview = types.MethodType(PreviewableMixin.serve_preview, draft)
    response = draft.make_preview_request(preview_mode=draft.default_preview_mode)
    if 300 <= response.status_code < 400:
        # wagtail-headless-preview (HEADLESS_PREVIEW_URL set) sends previews to the front end.
        raise DraftCheckError(
            "The draft could not be rendered here: its preview redirects to "
            f"{response.get('Location', 'another site')} (a separate front end renders drafts)."
        )
    if response.status_code != 200:
        raise DraftCheckError(
            f"The draft could not be rendered: its preview answered HTTP {response.status_code}."
        )
    content_type = response.get("Content-Type", "")
    if "html" not in content_type:
        raise DraftCheckError(f"The draft's preview is not HTML ({content_type or 'no type'}).")
    html = response.content.decode(response.charset or "utf-8", errors="replace")
    return draft, revision, html


def blocking_problems(page: Page, user=None) -> list[BlockingProblem]:
    """What the edit form would refuse if the page's latest draft were submitted or published.

    The draft is validated by the page type's own edit form, as Wagtail's edit view does for
    "Submit" and "Publish" (nothing deferred, unlike "Save draft"), so the rules and their
    wording are the form's by construction. Every field is marked disabled, which makes the
    form clean the draft's own values (its initial data) instead of posted ones; inline
    formsets get the management data for their existing rows, and the comments formset is
    left out (Wagtail drops it when its management data is missing). Nothing is saved.
    """
    page = page.specific
    revision = page.get_latest_revision()
    # A fresh object: validating copies the cleaned values onto the instance.
    draft = revision.as_object() if revision is not None else page
    form_class = type(page).get_edit_handler().get_form_class()
    kwargs = {"instance": draft, "parent_page": page.get_parent(), "for_user": user}
    data = _formset_management_data(form_class(**kwargs))
    form = form_class(data, {}, **kwargs)
    _disable_fields(form)
    if form.is_valid():
        return []
    problems: list[BlockingProblem] = []
    for name, errors in form.errors.items():
        form_field = form.fields.get(name)
        label = str(form_field.label or name) if form_field is not None else ""
        if name == "__all__":
            name = ""
        for error in errors.as_data():
            if form_field is not None and hasattr(form_field, "block"):
                value = getattr(draft, name, None)
                problems.extend(_block_problems(error, form_field.block, value, label, name, ""))
            else:
                problems.extend(BlockingProblem(label, m, name) for m in error.messages)
    for formset in form.formsets.values():
        for message in formset.non_form_errors():
            problems.append(BlockingProblem("", str(message)))
    return problems


def blocking_anchor(problem: BlockingProblem) -> str:
    """The id in Wagtail's page editor to open for ``problem``: the field's input, or for a
    StreamField (drawn by JavaScript, so without an input of its own in the HTML) the
    section Wagtail renders around it; the editor's top for errors of the whole page."""
    if not problem.field:
        return "main"
    if problem.block_id:
        return f"panel-child-content-{problem.field}-section"
    return f"id_{problem.field}"


def _formset_management_data(form: BaseForm) -> dict[str, int]:
    """Management data saying each (non-comment) formset holds exactly its existing rows."""
    data: dict[str, int] = {}
    for name, formset in getattr(form, "formsets", {}).items():
        if name == "comments":
            continue
        count = formset.initial_form_count()
        data[formset.add_prefix(TOTAL_FORM_COUNT)] = count
        data[formset.add_prefix(INITIAL_FORM_COUNT)] = count
        for child in formset.forms:
            data.update(_formset_management_data(child))
    return data


def _disable_fields(form: BaseForm) -> None:
    """Disabled fields are cleaned from the form's initial data: the draft's own values."""
    for form_field in form.fields.values():
        form_field.disabled = True
    for formset in getattr(form, "formsets", {}).values():
        for child in formset.forms:
            _disable_fields(child)


def _block_problems(
    error: ValidationError, block: Block, value: Any, where: str, name: str, block_id: str
) -> list[BlockingProblem]:
    """Flatten a block's (nested) validation error into one problem per message, each placed
    by the path of blocks that leads to it."""
    children = getattr(error, "block_errors", None)
    if children is None:
        return [BlockingProblem(where, m, name, block_id) for m in error.messages]
    problems = [
        BlockingProblem(where, m, name, block_id)
        for e in error.non_block_errors.as_data()
        for m in e.messages
    ]
    for key, child_error in children.items():
        child_block: Block | None = None
        child_value: Any = None
        child_id = block_id
        label = str(key)
        if isinstance(block, StreamBlock):
            child = value[key] if value is not None and key < len(value) else None
            child_block = child.block if child is not None else None
            child_value = child.value if child is not None else None
            child_id = (child.id or block_id) if child is not None else block_id
            label = f"block {key + 1}" + (f" ({child_block.label})" if child_block else "")
        elif isinstance(block, StructBlock):
            child_block = block.child_blocks.get(key)
            child_value = value.get(key) if hasattr(value, "get") else None
            label = str(child_block.label) if child_block is not None else str(key)
        elif isinstance(block, ListBlock):
            child_block = block.child_block
            child_value = value[key] if value is not None and key < len(value) else None
            label = f"item {key + 1}"
        path = f"{where} → {label}" if where else label
        if child_block is None:
            problems.extend(BlockingProblem(path, m, name, child_id) for m in child_error.messages)
        else:
            problems.extend(
                _block_problems(child_error, child_block, child_value, path, name, child_id)
            )
    return problems


def check_draft(page: Page, *, browser: bool | None = None, user=None) -> DraftCheck:
    """Render the page's latest draft and run the page checks on it; with ``browser`` (None:
    ``browser_default()``) also the browser pass on that HTML. ``user`` is whose edit form
    the draft is validated with (fields they may not edit are not theirs to fix)."""
    blocking = blocking_problems(page, user)
    draft, revision, html = render_draft(page)
    latest = latest_page_result(page)
    # Compare on the URL the stored audit used, so fingerprints match across the two.
    url = latest.url if latest is not None else draft_url(draft)
    try:
        config = build_config(None, single_page=True)
        report = check_html(html, url, config=config)
    except (AuditError, InvalidOptions) as exc:
        raise DraftCheckError(f"The draft could not be checked: {exc}") from None
    result = DraftCheck(
        page=draft, revision=revision, url=url, report=report, latest=latest, blocking=blocking
    )
    result.browser_requested = browser_default() if browser is None else browser
    if result.browser_requested:
        _browser_check(result, html, config)
    draft_prints = {result.fingerprint(f.check, f.selector) for f in report.findings}
    if latest is not None:
        result.latest_had_browser = url in latest.run.stats.get("browser", {}).get("lab", {})
        stored = list(latest.findings.order_by("-impact", "id"))
        stored_prints = {f.fingerprint for f in stored}
        result.new_fingerprints = draft_prints - stored_prints
        if not result.latest_had_browser:
            # The live page was never rendered: its browser findings are unknown, not absent.
            result.new_fingerprints -= {
                result.fingerprint(f.check, f.selector)
                for f in report.findings
                if _is_browser_check(f.check)
            }
        for finding in stored:
            if not rechecked_on_draft(finding.check_id, browser_rendered=result.browser_rendered):
                result.not_rechecked.append(finding)
            elif finding.fingerprint not in draft_prints:
                result.fixed.append(finding)
    else:
        result.new_fingerprints = draft_prints
    return result


def _is_browser_check(check_id: str) -> bool:
    check = check_info(check_id)
    return check is not None and check.scope == "browser"


def _browser_check(result: DraftCheck, html: str, config: EngineConfig) -> None:
    """Render the draft in Chromium as if served at its URL; a missing or failing Chromium
    is one line on the result, and the static findings stand."""
    problem = chromium_problem(config.chromium_path)
    if problem:
        result.browser_error = problem
        return
    # The admin's address rules: the draft's images may come from this CMS's own sites only
    # if they are private; nothing else on the local network.
    browser_config = config.replace(browser=True, **admin_engine_overrides())
    stop = StopSignal(deadline=time.monotonic() + DRAFT_BROWSER_SECONDS)
    try:
        stats = browser_check_html(result.report, html, browser_config, stop)
    except AuditError as exc:  # e.g. the page's host does not resolve
        result.browser_error = f"The draft could not be checked in the browser: {exc}"
        return
    result.browser_stats = stats
    result.browser_rendered = stats["pages_rendered"] == 1
    if stats["error"]:
        result.browser_error = stats["error"]
    elif not result.browser_rendered:
        result.browser_error = "The draft could not be rendered in the browser in time."
