"""Who may see and do what with audits, in one place.

- ``audit.view_auditrun`` (Django's default view permission of AuditRun): read reports,
  export them, see a page's findings in the editor and check drafts ("Marketing editors").
- ``audit.manage_audits``: also start and cancel audits, delete runs and edit schedules
  ("Marketing moderators"). It implies viewing.

Wagtail wraps every admin URL in its own admin-access check, so an anonymous visitor is sent
to the login page before any of these run. A logged-in user without the permission gets an
HTTP 403 page saying what is missing (not Wagtail's redirect to the dashboard: a refused POST
must not look like success to scripts and tests).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

VIEW_PERMISSION = "audit.view_auditrun"
MANAGE_PERMISSION = "audit.manage_audits"


def can_view_audits(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.has_perm(VIEW_PERMISSION) or user.has_perm(MANAGE_PERMISSION))
    )


def can_manage_audits(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(MANAGE_PERMISSION))


VIEW_DENIED = "You need permission to view SEO audit reports."
MANAGE_DENIED = "Only audit managers can run, cancel or delete audits."


def denied(request: HttpRequest, message: str) -> HttpResponse:
    """A 403 page in the admin's look."""
    return TemplateResponse(request, "audit/admin/forbidden.html", {"message": message}, status=403)
