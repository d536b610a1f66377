"""Stored audits: runs, their page results and findings, schedules and scheduler claims.

For the admin views:

- ``AuditRun`` — one audit of ``target_url`` (a whole site, or one page when ``single_page``).
  ``status`` goes queued → running → succeeded / failed / cancelled; ``pages_done`` and
  ``pages_known`` give the progress bar; ``error_count`` / ``warning_count`` / ``notice_count``
  and ``score`` (0–100) are filled when it finishes; ``options`` are the crawl options asked
  for and ``settings`` the full engine config used; ``stats`` is the engine's stats dict.
  ``is_active`` tells whether it may still change. Permission ``audit.manage_audits`` (run
  audits, edit schedules, delete runs); viewing needs only admin access.
- ``PageResult`` — one crawled URL of a run (``run.pages``); ``page`` is the Wagtail page
  when the URL belongs to one (else None); ``impact`` is the sum of its findings' impact, so
  ``run.pages.order_by("-impact")`` lists pages by how much they matter.
- ``Finding`` — one problem (``run.findings``, ``page_result.findings``): ``check_id``,
  ``severity``, ``message``, ``selector``, ``snippet``; ``impact`` = severity weight ×
  (views + 1); ``fingerprint`` = hash of check + page URL + selector, equal across runs for
  the same problem (see ``audit.services.compare_runs``). The check's title and fix hint are
  ``finding.check_info`` (the engine's registry entry, or None for a check that no longer exists).
- ``AuditRun.frontend`` / ``AuditSchedule.frontend`` — the target is the static front end
  built from this CMS; ``Finding.template`` marks the front end's own template findings.
- ``AuditSchedule`` — when to audit what and whom to tell; ``cron_expression()`` is the cron
  line in the site's TIME_ZONE (from the preset or the custom expression).
- ``ScheduledSlot`` — the claim of one due time of one schedule; its unique constraint is what
  keeps two schedulers from enqueueing the same run twice.

Models import only the layers below them (settings, options, cron arithmetic, the engine):
services (cancel, compare, previous run, retention) are in ``audit.services``, enqueueing in
``audit.tasks``.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from cron_descriptor import CasingTypeEnum, ExpressionDescriptor, Options
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.utils import timezone

from audit.cron import cron_error, next_time
from audit.engine import Check
from audit.engine import check_info as registry_entry
from audit.options import InvalidOptions, build_config
from audit.targets import frontend_url, vet_admin_target
from pages.models.site_settings import default_time_zone, time_zone_choices, validate_time_zone

SEVERITY_CHOICES = [("error", "Error"), ("warning", "Warning"), ("notice", "Notice")]


class AuditRun(models.Model):
    class Trigger(models.TextChoices):
        MANUAL = "manual", "Manual"
        SCHEDULE = "schedule", "Schedule"
        PUBLISH = "publish", "Publish"
        COMMAND = "command", "Command"
        DEPLOY = "deploy", "Deploy"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)
    FINISHED_STATUSES = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    target_url = models.URLField(max_length=2000)
    single_page = models.BooleanField(
        default=False, help_text="Audit only the target URL (no crawl), e.g. after publishing."
    )
    frontend = models.BooleanField(
        "front end",
        default=False,
        help_text="The target is the static front end built from this CMS: its pages are "
        "mapped back to their CMS pages by the meta tag it writes.",
    )
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    # A deploy's changed URLs (the deploy-finished call); empty: the whole site.
    changed_urls = models.JSONField(default=list, blank=True, editable=False)
    # Deploys reported while this run was active, audited by one run when it finishes: their
    # changed URLs ([] the whole site); None when no deploy waits (audit.deploy_queue).
    deploy_waiting = models.JSONField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    pages_done = models.PositiveIntegerField(default=0)
    pages_known = models.PositiveIntegerField(default=0)
    # The browser pass, once it has started (after the crawl): pages done of pages to render.
    browser_pages_done = models.PositiveIntegerField(default=0, editable=False)
    browser_pages_to_render = models.PositiveIntegerField(null=True, blank=True, editable=False)
    options = models.JSONField(default=dict, blank=True, help_text="Crawl options asked for.")
    settings = models.JSONField(default=dict, blank=True, help_text="Engine config used.")
    stats = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    notice_count = models.PositiveIntegerField(default=0)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_runs",
    )
    schedule = models.ForeignKey(
        "AuditSchedule", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    cancel_requested = models.BooleanField(default=False)
    task_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_url", "single_page", "created_at"])]
        constraints = [
            # At most one queued or running run per target: the database refuses a second.
            models.UniqueConstraint(
                fields=["target_url", "single_page"],
                condition=Q(status__in=["queued", "running"]),
                name="audit_one_active_run_per_target",
            )
        ]
        permissions = [("manage_audits", "Can run audits, edit schedules and delete runs")]

    def __str__(self) -> str:
        return f"{self.label} of {self.target_url} ({self.status})"

    @property
    def label(self) -> str:
        """ "Audit #7" for a site audit, "Page audit #8" for a single-page one: the number is
        the one in the run's URL (``/admin/seo-audits/7/``), the one identifier people see in
        the admin, the e-mail and the exports' file names."""
        kind = "Page audit" if self.single_page else "Audit"
        return f"{kind} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def resumable(self) -> bool:
        """A site audit that stopped before the end (worker killed, crashed or cancelled)
        and kept pages a resumed run can start from (``audit.tasks.resume_run``)."""
        return (
            self.status in (self.Status.FAILED, self.Status.CANCELLED)
            and not self.single_page
            and self.pages.filter(crawl_state__isnull=False).exists()
        )

    @property
    def in_browser_pass(self) -> bool:
        """Running, with the crawl done and the browser pass under way."""
        return self.status == self.Status.RUNNING and self.browser_pages_to_render is not None

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.pages_known:
            return 0
        return min(100, round(100 * self.pages_done / self.pages_known))

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    def counts_by_severity(self) -> dict[str, int]:
        return {
            "error": self.error_count,
            "warning": self.warning_count,
            "notice": self.notice_count,
        }


class PageResult(models.Model):
    run = models.ForeignKey(AuditRun, on_delete=models.CASCADE, related_name="pages")
    url = models.URLField(max_length=2000)
    final_url = models.URLField(max_length=2000, blank=True)
    page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_results",
    )
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Fetch failure, e.g. a timeout.")
    redirects = models.JSONField(default=list, blank=True)
    title = models.TextField(blank=True)
    h1 = models.TextField(blank=True)
    word_count = models.PositiveIntegerField(default=0)
    response_ms = models.FloatField(null=True, blank=True)
    bytes = models.PositiveIntegerField(default=0)
    views = models.PositiveIntegerField(null=True, blank=True)
    page_type = models.CharField(max_length=100, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    depth = models.PositiveIntegerField(null=True, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    notice_count = models.PositiveIntegerField(default=0)
    impact = models.PositiveIntegerField(default=0)
    # What a resumed run needs of the page besides this row (its links, images, where its URL
    # ended up: audit.engine.resume); kept while the run may be resumed, cleared once it
    # succeeds.
    crawl_state = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-impact", "url"]
        indexes = [
            models.Index(fields=["run", "url"]),
            models.Index(fields=["page", "run"]),
        ]

    def __str__(self) -> str:
        return self.url


class Finding(models.Model):
    # No separate index on run: the composite indexes below all start with it.
    run = models.ForeignKey(
        AuditRun, on_delete=models.CASCADE, related_name="findings", db_index=False
    )
    page_result = models.ForeignKey(PageResult, on_delete=models.CASCADE, related_name="findings")
    check_id = models.CharField(max_length=100)
    severity = models.CharField(max_length=10, choices=SEVERITY_CHOICES)
    message = models.TextField()
    selector = models.TextField(blank=True)
    snippet = models.TextField(blank=True)
    fingerprint = models.CharField(max_length=32)  # indexed with run, below
    impact = models.PositiveIntegerField(default=0)
    # From the front end's own templates (on every page, or on a page with no CMS page),
    # not from one page's content: reported once as a "front-end template" finding.
    template = models.BooleanField(default=False)

    class Meta:
        ordering = ["-impact", "id"]
        indexes = [
            models.Index(fields=["run", "severity"]),
            models.Index(fields=["run", "check_id"]),
            models.Index(fields=["run", "fingerprint"]),
        ]

    def __str__(self) -> str:
        return f"{self.check_id}: {self.message}"

    @staticmethod
    def make_fingerprint(check_id: str, page_url: str, selector: str) -> str:
        """Stable across runs: the same check on the same page and element."""
        raw = "\x1f".join((check_id, page_url, selector or ""))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]

    @property
    def check_info(self) -> Check | None:
        """The engine's Check (title, fix hint, severity) or None if it no longer exists."""
        return registry_entry(self.check_id)


WEEKDAY_CHOICES = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


def cron_in_words(expression: str) -> str:
    """A cron line in words ("At 06:30, Monday through Friday"), or why it is not one."""
    if problem := cron_error(expression):
        return problem
    options = Options()
    options.use_24hour_time_format = True
    options.casing_type = CasingTypeEnum.Sentence
    return ExpressionDescriptor(expression.strip(), options).get_description()


class AuditSchedule(models.Model):
    class Preset(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"
        CRON = "cron", "Custom (cron expression)"

    name = models.CharField(max_length=200)
    target_url = models.URLField(
        max_length=2000, blank=True, help_text="Leave empty for the site's root."
    )
    preset = models.CharField(max_length=10, choices=Preset.choices, default=Preset.WEEKLY)
    time_of_day = models.TimeField(
        default=time(3, 0), help_text="For daily, weekly and monthly, in the time zone below."
    )
    weekday = models.PositiveSmallIntegerField(
        choices=WEEKDAY_CHOICES, default=0, help_text="For weekly."
    )
    day_of_month = models.PositiveSmallIntegerField(
        default=1, help_text="For monthly: 1–28 (so every month has it)."
    )
    time_zone = models.CharField(
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        choices=time_zone_choices,
        help_text="The times above are read in this zone (new schedules: the clinic's).",
    )
    cron = models.CharField(
        max_length=100,
        blank=True,
        help_text='For custom: five fields "minute hour day month weekday", e.g. 30 6 * * 1-5.',
    )
    recipients = models.TextField(
        blank=True, help_text="E-mail addresses, separated by commas or new lines."
    )
    recipient_group = models.ForeignKey(
        "auth.Group",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Every active member with an e-mail address also gets the report.",
    )
    frontend = models.BooleanField(
        "audit the front end",
        default=False,
        help_text="Audit the static front end built from this CMS (SEO_AUDIT FRONTEND_URL "
        "when the target is empty) and map its pages back to their CMS pages.",
    )
    crawl_options = models.JSONField(
        default=dict, blank=True, help_text='Engine options, e.g. {"max_pages": 500}.'
    )
    browser_pass = models.BooleanField(
        "also check pages in a browser",
        default=False,
        help_text=(
            "Loads each page in Chromium too: colour contrast in light and dark themes, "
            "accessibility (axe-core), broken images and scripts, layout shift. Slower."
        ),
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    next_due = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone or django_settings.TIME_ZONE)

    def describe(self) -> str:
        """The schedule in words, e.g. "Mondays at 07:00 (America/Vancouver)"."""
        at = f"{self.time_of_day:%H:%M}"
        if self.preset == self.Preset.DAILY:
            words = f"Every day at {at}"
        elif self.preset == self.Preset.WEEKLY:
            words = f"{WEEKDAY_CHOICES[self.weekday][1]}s at {at}"
        elif self.preset == self.Preset.MONTHLY:
            words = f"Monthly on day {self.day_of_month} at {at}"
        else:
            words = cron_in_words(self.cron)
        return f"{words} ({self.time_zone})"

    def cron_expression(self) -> str:
        """The schedule as a cron line, read in ``zone()``."""
        if self.preset == self.Preset.CRON:
            return self.cron.strip()
        minute, hour = self.time_of_day.minute, self.time_of_day.hour
        if self.preset == self.Preset.DAILY:
            return f"{minute} {hour} * * *"
        if self.preset == self.Preset.WEEKLY:
            return f"{minute} {hour} * * {(self.weekday + 1) % 7}"  # cron: 0 is Sunday
        return f"{minute} {hour} {self.day_of_month} * *"

    def run_options(self) -> dict:
        """The engine options of this schedule's runs: the crawl options, with the browser
        pass on when the schedule asks for it (``{"browser": true}`` there also works)."""
        if self.browser_pass:
            return {**self.crawl_options, "browser": True}
        return dict(self.crawl_options)

    def recipient_emails(self) -> list[str]:
        """Addresses from the text field and the group, without duplicates, in order."""
        emails = [part.strip() for part in self.recipients.replace("\n", ",").split(",")]
        if self.recipient_group_id:
            emails += list(
                self.recipient_group.user_set.filter(is_active=True)
                .exclude(email="")
                .order_by("email")
                .values_list("email", flat=True)
            )
        return list(dict.fromkeys(e for e in emails if e))

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.preset == self.Preset.CRON and (problem := cron_error(self.cron)):
            errors["cron"] = problem
        if self.frontend and not self.target_url and not frontend_url():
            errors["frontend"] = (
                'No front end is configured: set SEO_AUDIT["FRONTEND_URL"] or give a target.'
            )
        if self.preset == self.Preset.MONTHLY and not 1 <= self.day_of_month <= 28:
            errors["day_of_month"] = "Use a day from 1 to 28 so every month has it."
        for address in self.recipients.replace("\n", ",").split(","):
            if address.strip():
                try:
                    validate_email(address.strip())
                except ValidationError:
                    errors["recipients"] = f"{address.strip()!r} is not an e-mail address."
                    break
        try:
            config = build_config(self.run_options())
        except InvalidOptions as exc:
            errors["crawl_options"] = str(exc)
        else:
            if problem := self._extra_host_problem(config.extra_hosts):
                errors["crawl_options"] = problem
        if errors:
            raise ValidationError(errors)

    def _extra_host_problem(self, extra_hosts: tuple[str, ...]) -> str | None:
        """Why an extra host may not be crawled from the admin, vetted like the target (the
        run checks again when it connects), or None."""
        scheme = urlsplit(self.target_url or django_settings.WAGTAILADMIN_BASE_URL).scheme
        for host in extra_hosts:
            try:
                vet_admin_target(f"{scheme or 'https'}://{host.strip()}/")
            except ValidationError as exc:
                return f"Extra host {host!r}: {exc.messages[0]}"
        return None

    def next_due_after(self, after: datetime) -> datetime | None:
        """The first due time strictly after ``after``; None for an invalid cron line."""
        return next_time(self.cron_expression(), after, self.zone())

    def save(self, *args, **kwargs):
        self.next_due = self.next_due_after(timezone.now()) if self.enabled else None
        super().save(*args, **kwargs)


class ScheduledSlot(models.Model):
    """A schedule's due time, claimed by the scheduler that enqueues it (once, ever)."""

    schedule = models.ForeignKey(AuditSchedule, on_delete=models.CASCADE, related_name="slots")
    slot = models.DateTimeField(help_text="The due time this claim is for.")
    claimed_at = models.DateTimeField(default=timezone.now)
    run = models.ForeignKey(
        AuditRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-slot"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "slot"], name="audit_one_claim_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.schedule} @ {self.slot:%Y-%m-%d %H:%M}"
