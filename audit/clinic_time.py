"""The site's time zone (the TIME_ZONE setting) and dates in words for people.

Schedules default to it and every report (admin, e-mail, HTML export) shows times in it with
the zone's abbreviation: "28 Nov 2026, 06:38 PST", never an ISO string.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings


def clinic_zone_name() -> str:
    """The site's one time zone (the TIME_ZONE setting)."""
    return settings.TIME_ZONE


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(clinic_zone_name())


def when_in_words(moment: datetime | None, zone: ZoneInfo | None = None) -> str:
    """E.g. "28 Nov 2026, 06:38 PST" in ``zone`` (the site's by default); "" for None."""
    if moment is None:
        return ""
    local = moment.astimezone(zone or clinic_zone())
    return f"{local.day} {local:%b %Y, %H:%M %Z}"
