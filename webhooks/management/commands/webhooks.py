"""``manage.py webhooks add URL [--events a,b] [--description …] | list | deliveries
[--endpoint ID] [--failed] | redeliver DELIVERY_ID | remove ID | send-due | prune``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from webhooks.models import Delivery, Endpoint
from webhooks.payloads import EVENT_TYPES
from webhooks.tasks import prune, redeliver, send_due_deliveries
from webhooks.vetting import vet_endpoint_url


class Command(BaseCommand):
    help = "Manage webhook endpoints and their deliveries."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Add an endpoint; prints its id and secret.")
        add.add_argument("url")
        add.add_argument("--events", default="", help="Comma-separated event types (all).")
        add.add_argument("--description", default="")
        sub.add_parser("list", help="List endpoints (never their secrets).")
        deliveries = sub.add_parser("deliveries", help="List deliveries, newest first.")
        deliveries.add_argument("--endpoint", type=int)
        deliveries.add_argument("--failed", action="store_true")
        deliveries.add_argument("--limit", type=int, default=50)
        again = sub.add_parser("redeliver", help="Send a delivery's event again.")
        again.add_argument("delivery_id", type=int)
        remove = sub.add_parser("remove", help="Remove an endpoint and its delivery log.")
        remove.add_argument("endpoint_id", type=int)
        sub.add_parser("send-due", help="Queue deliveries that are due (retries, lost workers).")
        sub.add_parser("prune", help="Delete deliveries and events past RETENTION_DAYS.")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, "_" + action.replace("-", "_"))(**options)

    def _add(self, url: str, events: str, description: str, **options) -> None:
        types = [name.strip() for name in events.split(",") if name.strip()]
        unknown = [name for name in types if name not in EVENT_TYPES]
        if unknown:
            raise CommandError(
                f"unknown event type(s) {', '.join(unknown)}; known: {', '.join(EVENT_TYPES)}"
            )
        try:
            url = vet_endpoint_url(url)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from None
        endpoint = Endpoint.objects.create(url=url, event_types=types, description=description)
        token = endpoint.new_feed_token()
        self.stdout.write(f"id: {endpoint.pk}\nsecret: {endpoint.secret}\nfeed token: {token}")

    def _list(self, **options) -> None:
        for endpoint in Endpoint.objects.all():
            state = "enabled" if endpoint.enabled else f"disabled ({endpoint.disabled_reason})"
            events = ",".join(endpoint.event_types) or "all"
            self.stdout.write(
                f"{endpoint.pk}\t{endpoint.url}\t{events}\t{state}\t{endpoint.description}"
            )

    def _deliveries(self, endpoint: int | None, failed: bool, limit: int, **options) -> None:
        rows = Delivery.objects.select_related("event")
        if endpoint is not None:
            if not Endpoint.objects.filter(pk=endpoint).exists():
                raise CommandError(f"no endpoint {endpoint}")
            rows = rows.filter(endpoint_id=endpoint)
        if failed:
            rows = rows.filter(state=Delivery.State.FAILED)
        for row in rows[:limit]:
            self.stdout.write(
                f"{row.pk}\t{row.endpoint_id}\t{row.event.type}\t{row.state}\t"
                f"attempts={row.attempts}\tstatus={row.last_status_code or '-'}\t{row.last_error}"
            )

    def _redeliver(self, delivery_id: int, **options) -> None:
        row = Delivery.objects.select_related("endpoint", "event").filter(pk=delivery_id).first()
        if row is None:
            raise CommandError(f"no delivery {delivery_id}")
        copy = redeliver(row)
        self.stdout.write(
            f"delivery {copy.pk} queued (event {row.event_id}, endpoint {row.endpoint_id})"
        )

    def _remove(self, endpoint_id: int, **options) -> None:
        deleted, _ = Endpoint.objects.filter(pk=endpoint_id).delete()
        if not deleted:
            raise CommandError(f"no endpoint {endpoint_id}")
        self.stdout.write(f"removed endpoint {endpoint_id}")

    def _send_due(self, **options) -> None:
        self.stdout.write(f"queued {send_due_deliveries()}")

    def _prune(self, **options) -> None:
        deliveries, events = prune()
        self.stdout.write(f"deleted {deliveries} deliveries and {events} events")
