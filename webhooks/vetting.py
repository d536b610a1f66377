"""Where webhooks may be sent: the audit's outbound policy for admin targets, unchanged
(public addresses, this CMS's own sites, and SEO_AUDIT_ALLOWED_HOSTS), checked when an
endpoint is saved and again before every attempt (a name can resolve elsewhere by then)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from audit.targets import vet_admin_target


def vet_endpoint_url(url: str) -> str:
    """The normalised URL, or ValidationError with a one-line reason."""
    try:
        return vet_admin_target(url)
    except ValidationError as exc:
        reason = " ".join(exc.messages).replace(
            "Audit this site, a public site", "Use a public URL"
        )
        raise ValidationError(f"Webhook URL refused: {reason}", code=exc.code) from None
