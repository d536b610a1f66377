"""``POST /api/v2/deploys/``: a front end (``make frontend-serve``, or any CI) says a deploy
finished, and the CMS audits the front end (issue 28, item 4).

Authenticated like the event feed, with a webhook endpoint's feed token
(``Authorization: Bearer <token>``): whoever reads the CMS's events is the front end being
deployed. The body is a JSON object, every key optional::

    {"changed_urls": ["/services/ims/", "https://www.example.org/articles/"]}

Paths are read on the configured front end (``SEO_AUDIT["FRONTEND_URL"]``); absolute URLs
must be on it. No URLs (or an empty body): the whole site is audited. The answer is ``202``
with the queued run, or, while an audit of the front end is queued or running, ``202`` with
that run as ``waiting_on``: the deploy's pages are audited (with those of any other deploy
that waits) when it finishes (``audit.deploy_queue``). The result arrives as the
``audit.completed`` webhook and in the admin, and a deploy that brought new errors to a
changed page is logged in that page's history (``audit.deploy_history``). Bad input gets a
4xx JSON ``{"message": ...}``.
"""

from __future__ import annotations

import json
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt

from audit.engine import AuditError, normalize_url
from audit.models import AuditRun
from audit.options import InvalidOptions
from audit.services import InvalidTarget, RunAlreadyActive
from audit.targets import frontend_url
from audit.tasks import start_deploy_audit
from cms.errors import InvalidInput
from webhooks.feed import endpoint_for

MAX_CHANGED_URLS = 500
KNOWN_KEYS = frozenset({"changed_urls"})


class BadDeploy(InvalidInput):
    """A deploy call the CMS cannot act on; the message says why in one line."""


def answer(body: dict, status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def changed_urls_of(raw: bytes, front: str) -> list[str]:
    """The normalised front-end URLs a deploy body names; BadDeploy when it is malformed."""
    if not raw.strip():
        return []
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadDeploy('the body must be JSON, e.g. {"changed_urls": ["/about/"]}') from None
    if not isinstance(body, dict):
        raise BadDeploy('the body must be a JSON object, e.g. {"changed_urls": ["/about/"]}')
    unknown = sorted(set(body) - KNOWN_KEYS)
    if unknown:
        raise BadDeploy(f"unknown key {unknown[0]!r}; known: {', '.join(sorted(KNOWN_KEYS))}")
    urls = body.get("changed_urls") or []
    if not isinstance(urls, list) or not all(isinstance(url, str) for url in urls):
        raise BadDeploy("changed_urls must be a list of paths or URLs of the front end")
    if len(urls) > MAX_CHANGED_URLS:
        raise BadDeploy(
            f"changed_urls has {len(urls)} URLs, more than {MAX_CHANGED_URLS}; "
            "send none to audit the whole site"
        )
    front_parts = urlsplit(front)
    found: list[str] = []
    for url in urls:
        absolute = urljoin(front, url.strip())
        try:
            parts = urlsplit(absolute)
            same_site = (parts.scheme, parts.netloc.lower()) == (
                front_parts.scheme,
                front_parts.netloc.lower(),
            )
        except ValueError:
            same_site = False
        normalised = normalize_url(absolute) if same_site else None
        if not normalised:
            raise BadDeploy(f"{url[:200]!r} is not a page of the front end {front}")
        found.append(normalised)
    return list(dict.fromkeys(found))


@csrf_exempt
def deploy_finished_view(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        response = answer({"message": "Use POST to report a finished deploy."}, status=405)
        response["Allow"] = "POST"
        return response
    if endpoint_for(request) is None:
        response = answer(
            {"message": "Send a webhook endpoint's feed token as 'Authorization: Bearer <token>'."},
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="deploys"'
        return response
    front = frontend_url()
    if not front:
        return answer(
            {"message": 'No front end is configured: set SEO_AUDIT["FRONTEND_URL"].'}, status=404
        )
    try:
        changed = changed_urls_of(request.body, front)
    except RequestDataTooBig:
        return answer({"message": "The body is too large."}, status=413)
    except BadDeploy as exc:
        return answer({"message": str(exc)}, status=400)
    try:
        run, waits = start_deploy_audit(front, changed)
    except RunAlreadyActive as exc:
        active = {"id": exc.run.pk, "status": exc.run.status} if exc.run else None
        return answer({"message": str(exc), "active_run": active}, status=409)
    except (InvalidTarget, InvalidOptions, AuditError) as exc:
        return answer({"message": str(exc)}, status=400)
    admin = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    shown = {
        "id": run.pk,
        "status": run.status,
        "target_url": run.target_url,
        "admin_url": admin + reverse("seo_audits:run", args=[run.pk]),
    }
    if waits:
        message = (
            f"An audit of the front end (run {run.pk}) is {run.get_status_display().lower()}: "
            "this deploy's pages are audited when it finishes."
        )
        return answer({"message": message, "waiting_on": shown}, status=202)
    return answer({"run": {**shown, "changed_urls": run.changed_urls}}, status=202)


class DeployEndpoint:
    """Mounted by the API router (cms/api.py) like Wagtail's own endpoints."""

    model = AuditRun

    @classmethod
    def get_urlpatterns(cls) -> list:
        return [path("", deploy_finished_view, name="listing")]
