"""Scheduled publishing: go-live and expiry dates take effect when the scheduler ticks.

The scheduler process (`manage.py audit_scheduler`, started by `make run`) calls
`publish_scheduled_pages()` on every tick, so nobody has to run Wagtail's command by hand.
"""

from __future__ import annotations

import io

from django.core.management import call_command


def publish_scheduled_pages() -> None:
    """Publish revisions whose go-live time has passed and unpublish expired pages (and any
    other draft-state models), exactly as Wagtail's `publish_scheduled` command does."""
    # Wagtail's command is the one implementation of these rules; run it rather than copy it.
    # Its output (nothing, outside --dryrun) is kept out of the scheduler's log.
    call_command("publish_scheduled", stdout=io.StringIO())
