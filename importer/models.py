"""What an import remembers: each run with its report, and what each old URL became."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

# A run with no page done for this long has lost its worker. Pages are fetched with the
# crawl's timeouts and delays (at most a few minutes for one page with its images).
STALE_AFTER = timedelta(minutes=10)


class ImportRun(models.Model):
    """One import from the admin (the command line keeps no run)."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Plan shown"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    source_url = models.URLField(max_length=2000)
    options = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)  # the last page done
    pages_done = models.PositiveIntegerField(default=0)
    pages_known = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    report = models.JSONField(default=dict, blank=True)  # importer.report.ImportReport.as_dict

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"import of {self.source_url} ({self.status})"

    @classmethod
    def fail_stale(cls, after: timedelta = STALE_AFTER) -> None:
        """Runs whose worker went away (nothing done for ``after``) end as failed, so the
        admin does not wait on them for ever and a new import can start."""
        cutoff = timezone.now() - after
        active = cls.objects.filter(status__in=[cls.Status.QUEUED, cls.Status.RUNNING])
        active.filter(
            models.Q(heartbeat__lt=cutoff) | models.Q(heartbeat__isnull=True, created_at__lt=cutoff)
        ).update(
            status=cls.Status.FAILED,
            finished_at=timezone.now(),
            error=f"no page was imported for {int(after.total_seconds())} s: the task worker "
            "stopped or is not running (manage.py db_worker); start the import again",
        )

    @classmethod
    def active(cls) -> ImportRun | None:
        return cls.objects.filter(status__in=[cls.Status.QUEUED, cls.Status.RUNNING]).first()


class ImportedPage(models.Model):
    """A page this importer created, by the old URL it came from: how re-runs find it."""

    source_url = models.URLField(max_length=2000, unique=True)
    page = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="import_source"
    )
    content_hash = models.CharField(max_length=64)  # of the fields last written
    # The revision the importer last wrote: a later one is an editor's, which a re-import
    # never overwrites.
    revision_id = models.PositiveBigIntegerField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.source_url} -> page {self.page_id}"


class ImportedImage(models.Model):
    """An image this importer added, by its original URL and content hash (one copy each)."""

    source_url = models.URLField(max_length=2000, unique=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    image = models.ForeignKey(settings.WAGTAILIMAGES_IMAGE_MODEL, on_delete=models.CASCADE)

    def __str__(self) -> str:
        return f"{self.source_url} -> image {self.image_id}"


class ImportRedirect(models.Model):
    """A redirect the importer wants from an old path to a page here. It is live (a Wagtail
    ``Redirect``) only while its page is live: ``importer.signals`` adds the redirect when the
    page is published, by hand or at its scheduled go-live, and removes it on unpublish, so an
    old URL never answers 301 to a draft's 404."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE)
    old_path = models.CharField(max_length=255)  # as Redirect.normalise_path gives it
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="import_redirects"
    )
    source_url = models.URLField(max_length=2000)  # the old page it stands for

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "old_path"], name="import_redirect_unique_path")
        ]

    def __str__(self) -> str:
        return f"{self.old_path} -> page {self.page_id}"


class TodoItem(models.Model):
    """One thing an editor must look at on an imported page, shown on the page's edit view
    and ticked off there. A possible duplicate sits on the page it may duplicate (the
    importer created no draft for it) and carries what a merge needs."""

    class Kind(models.TextChoices):
        PROBLEM = "problem", "To check"
        DUPLICATE = "duplicate", "Possible duplicate"

    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="import_todos"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PROBLEM)
    text = models.TextField()
    source_url = models.URLField(max_length=2000)  # the old page the item came from
    views = models.PositiveIntegerField(null=True, blank=True)  # a duplicate's old count
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    merged = models.BooleanField(default=False)  # a duplicate closed by the merge

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"page {self.page_id}: {self.text[:60]}"

    @property
    def is_open(self) -> bool:
        return self.done_at is None
