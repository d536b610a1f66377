"""Endpoints, events and deliveries.

An ``Event`` is one change, numbered site-wide (``sequence``, the catch-up feed's cursor) and
per page (``page_sequence``, for dropping stale events). Both numbers come from ``Counter``
rows updated inside the change's transaction: the row lock is held until that transaction
ends, so events become visible in the order of their numbers and a feed reader that saw N
never later finds a smaller number appearing. A ``Delivery`` is one event for one endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from wagtail.models import Page

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
ROTATION_GRACE = timedelta(hours=24)  # the old secret keeps signing this long after a rotation


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Counter(models.Model):
    name = models.CharField(max_length=50, unique=True)
    value = models.BigIntegerField(default=0)

    @classmethod
    def next(cls, name: str) -> int:
        """The next value, under a row lock held until the surrounding transaction ends."""
        # One statement (UPDATE … RETURNING, PostgreSQL and SQLite ≥ 3.35): a publish waits
        # on every round trip made here.
        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET value = value + 1 WHERE name = %s RETURNING value", [name]
            )
            row = cursor.fetchone()
        if row is not None:
            return row[0]
        try:
            with transaction.atomic():
                cls.objects.create(name=name, value=1)
            return 1
        except IntegrityError:  # another transaction created it first
            return cls.next(name)


class Endpoint(models.Model):
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    # Event types to send; empty means every change (not "ping", which is sent on request).
    event_types = models.JSONField(default=list, blank=True)
    page_subtree = models.ForeignKey(
        Page,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Only page events for this page and the pages below it.",
    )
    enabled = models.BooleanField(default=True)
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    feed_token_digest = models.CharField(max_length=64, blank=True, editable=False)
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["pk"]
        permissions = [("manage_webhooks", "Can manage webhook endpoints and their deliveries")]

    def __str__(self) -> str:  # never the secret
        return self.description or self.url

    def __repr__(self) -> str:
        return f"<Endpoint {self.pk} {self.url}>"

    def wants(self, event: Event) -> bool:
        if not self.enabled:
            return False
        if self.event_types:
            if event.type not in self.event_types:
                return False
        elif event.type == "ping":
            return False
        if self.page_subtree_id and event.page_path:
            subtree_path = self.page_subtree.path
            return event.page_path.startswith(subtree_path)
        return True

    def signing_secrets(self) -> list[str]:
        """The secrets to sign with now: the current one, and the previous one while its
        24 hours after a rotation last."""
        valid = [self.secret]
        expires = self.previous_secret_expires_at
        if self.previous_secret and expires and expires > timezone.now():
            valid.append(self.previous_secret)
        return valid

    def rotate_secret(self) -> str:
        """A new secret; the old one stays valid for ROTATION_GRACE. Returns the new one."""
        self.previous_secret = self.secret
        self.previous_secret_expires_at = timezone.now() + ROTATION_GRACE
        self.secret = new_secret()
        self.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
        return self.secret

    def new_feed_token(self) -> str:
        """A token for the catch-up feed (only its digest is stored). Returns it."""
        token = secrets.token_urlsafe(32)
        self.feed_token_digest = token_digest(token)
        self.save(update_fields=["feed_token_digest"])
        return token


class Event(models.Model):
    # Site-wide, gap-free in commit order; null for a ping (sent to one endpoint, not a change).
    sequence = models.BigIntegerField(null=True, unique=True)
    type = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    page_id = models.BigIntegerField(null=True, blank=True)  # not a key: the page may be gone
    page_path = models.CharField(max_length=255, blank=True)  # the tree path, for subtrees
    page_sequence = models.BigIntegerField(null=True, blank=True)
    # The body sent, exactly: the same bytes on every attempt and in the feed.
    body = models.TextField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.type} #{self.sequence or self.pk}"

    @property
    def webhook_id(self) -> str:
        """The ``webhook-id`` header: one per event, repeated only on retries."""
        return f"evt_{self.pk}"


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    OPEN_STATES = (State.PENDING, State.SENDING)

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    # Deliveries with the same key go to an endpoint one after another (e.g. "page:12").
    ordering_key = models.CharField(max_length=50, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["endpoint", "ordering_key", "state"])]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.event} to endpoint {self.endpoint_id}: {self.state}"
