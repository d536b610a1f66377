"""The clinic's time zone (``ClinicSettings.time_zone``) and dates in words for people.

Schedules default to it and every report (admin, e-mail, HTML export) shows times in it:
"28 Nov 2026, 06:38", never an ISO string.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from wagtail.models import Site

from pages.models import ClinicSettings


def clinic_zone_name() -> str:
    """The default site's clinic time zone; the TIME_ZONE setting when there is no site."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return settings.TIME_ZONE
    return ClinicSettings.for_site(site).time_zone or settings.TIME_ZONE


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(clinic_zone_name())


def when_in_words(moment: datetime | None, zone: ZoneInfo | None = None) -> str:
    """E.g. "28 Nov 2026, 06:38" in ``zone`` (the clinic's by default); "" for None."""
    if moment is None:
        return ""
    local = moment.astimezone(zone or clinic_zone())
    return f"{local.day} {local:%b %Y, %H:%M}"
