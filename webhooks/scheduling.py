"""The webhooks' share of each scheduler tick (``manage.py audit_scheduler``, started by
``make run``): queue deliveries that are due (retries where the task backend cannot defer,
deliveries whose worker died mid-attempt) and, once a day, prune the delivery log."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit import scheduling
from webhooks.models import Counter
from webhooks.tasks import prune, send_due_deliveries

logger = logging.getLogger(__name__)

PRUNED_DAY = "webhooks-pruned-day"  # a Counter holding the day (ordinal) last pruned


def claim_todays_prune(today: int) -> bool:
    """True for the one scheduler that prunes today (several may tick at once)."""
    try:
        with transaction.atomic():
            Counter.objects.get_or_create(name=PRUNED_DAY, defaults={"value": 0})
    except IntegrityError:  # another scheduler created it first
        pass
    return bool(Counter.objects.filter(name=PRUNED_DAY, value__lt=today).update(value=today))


def on_tick(sender, now=None, **kwargs) -> None:
    queued = send_due_deliveries()
    if queued:
        logger.info("webhooks: queued %s due deliveries", queued)
    if claim_todays_prune(timezone.localdate().toordinal()):
        deliveries, events = prune()
        logger.info("webhooks: pruned %s deliveries and %s events", deliveries, events)


def connect() -> None:
    """Called from WebhooksConfig.ready()."""
    scheduling.ticked.connect(on_tick, dispatch_uid="webhooks_scheduler_tick")
