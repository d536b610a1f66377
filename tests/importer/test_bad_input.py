"""Bad input: each problem is one line in the report, the rest of the import goes on, and a
page that fails leaves nothing behind."""

from __future__ import annotations

import io
import socket
import struct
import zlib

import pytest
from django.core.management import CommandError, call_command
from wagtail.images import get_image_model
from wagtail.models import Page

from audit.engine import EngineConfig
from importer import service
from importer.models import ImportedImage, ImportedPage
from importer.service import ImportOptions, import_site
from pages.models import ArticlePage
from tests.importer.old_site import CAMERA_ID, FOREARM_ID, NECK_ID, NOALT_ID, POST_NECK


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_site", *args, stdout=out)
    return out.getvalue()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_unreachable_site_is_one_line_and_writes_nothing(demo_site):
    pages = Page.objects.count()
    url = f"http://127.0.0.1:{free_port()}/"
    report = import_site(url, ImportOptions())
    assert len(report.errors) == 1 and "\n" not in report.errors[0]
    assert "did not answer" in report.errors[0] or "robots" in report.errors[0]
    assert Page.objects.count() == pages


@pytest.mark.django_db
def test_no_scheme_is_a_one_line_error(demo_site):
    with pytest.raises(CommandError, match="has no scheme: use an absolute URL"):
        run("old.example")


@pytest.mark.django_db
def test_only_url_of_another_site_is_refused(demo_site, wix):
    with pytest.raises(CommandError, match="is not a page of"):
        run(wix.base + "/", "--only", "https://elsewhere.example/post/x")
    assert not wix.hits


@pytest.mark.django_db
def test_failing_malformed_and_empty_pages_do_not_stop_the_rest(demo_site, wix):
    wix.page("/post/broken", "server trouble", status=500)
    wix.page(
        "/post/malformed",
        POST_NECK.replace("</div>", "")
        .replace("<p>", "<p><b>")
        .replace("Stretches for a stiff neck", "Neck stretches, badly closed"),
    )
    wix.page("/post/empty", "<html><head><title>Empty</title></head><body></body></html>")
    # A PDF behind a page-like URL: a /files/….pdf URL is never even queued (the crawl checks
    # files as link targets, not pages), so this is the case that reaches the importer.
    wix.routes["/post/price-list"] = (200, "application/pdf", b"%PDF-1.4 not a page")
    wix.page("/post/huge", "<html><body><p>" + "x" * 150_000 + "</p></body></html>")
    wix.sitemap(
        [
            "/post/broken",
            "/post/malformed",
            "/post/empty",
            "/post/ims-forearm",
            "/post/price-list",
            "/post/huge",
        ]
    )
    crawl = EngineConfig(parse_workers=0, max_bytes=100_000)
    report = import_site(wix.base + "/", ImportOptions(crawl=crawl))
    by_url = {p.url.removeprefix(wix.base): p for p in report.pages}
    assert by_url["/post/price-list"].action == "skipped"
    assert "not an HTML page (application/pdf)" in by_url["/post/price-list"].message
    assert by_url["/post/huge"].action == "failed"
    assert "larger than 100000 bytes" in by_url["/post/huge"].message
    assert by_url["/post/broken"].action == "failed"
    assert by_url["/post/broken"].message.endswith("HTTP 500")
    assert by_url["/post/empty"].action == "skipped"
    assert by_url["/post/malformed"].action == "created"  # recovered by the HTML parser
    assert by_url["/post/ims-forearm"].action == "created"
    assert not ImportedPage.objects.filter(source_url__endswith="/post/broken").exists()
    assert report.errors == []


@pytest.mark.django_db
def test_too_large_and_non_image_files_are_left_out_and_reported(demo_site, wix):
    big, text = f"/media/{FOREARM_ID}~mv2.jpg", f"/media/{CAMERA_ID}~mv2.jpg"
    wix.routes[big] = (200, "image/jpeg", b"\xff\xd8\xff" + b"0" * 300_000)
    wix.routes[text] = (200, "text/html", b"<html>not a picture</html>")
    images = get_image_model().objects.count()
    report = import_site(
        wix.base + "/",
        ImportOptions(only=[wix.base + "/post/ims-forearm"], max_image_bytes=200_000),
    )
    (page,) = report.pages
    assert page.action == "created"
    assert any("larger than 200000 bytes" in p for p in page.problems)
    assert any("not an image (text/html)" in p for p in page.problems)
    # The third image (no alt text) was fine and is the only new one.
    assert get_image_model().objects.count() == images + 1
    draft = ArticlePage.objects.get(slug="ims-forearm").get_latest_revision_as_object()
    assert sum(b.block_type == "image" for b in draft.body) == 1


@pytest.mark.django_db
def test_a_page_failing_to_write_leaves_nothing_half_written(demo_site, wix, monkeypatch):
    def broken_views(page, views):
        raise RuntimeError("database went away")

    monkeypatch.setattr(service, "set_views", broken_views)
    pages = Page.objects.count()
    report = import_site(wix.base + "/", ImportOptions(only=[wix.base + "/post/ims-forearm"]))
    (outcome,) = report.pages
    assert outcome.action == "failed" and "database went away" in outcome.message
    assert Page.objects.count() == pages
    assert not ImportedPage.objects.exists()


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width``×``height`` (what Pillow checks before decoding),
    with one row of pixel data: a decompression bomb in a few dozen bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\x00" * 3 * 16)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


SCRIPTED_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)


@pytest.mark.django_db
def test_bad_image_files_are_their_pages_problem_and_leave_no_orphans(demo_site, wix):
    """Issue 24, case 3: a 30000×30000 PNG (Pillow's DecompressionBombError), a truncated
    JPEG, a zero-byte file and an SVG with a script, each on an old-site page."""
    media = {image_id: f"/media/{image_id}~mv2.jpg" for image_id in (FOREARM_ID, CAMERA_ID)}
    good_jpeg = wix.routes[media[CAMERA_ID]][2]
    wix.routes[media[FOREARM_ID]] = (200, "image/png", _png_claiming(30_000, 30_000))
    wix.routes[media[CAMERA_ID]] = (200, "image/jpeg", good_jpeg[: len(good_jpeg) // 2])
    wix.routes[f"/media/{NOALT_ID}~mv2.jpg"] = (200, "image/svg+xml", SCRIPTED_SVG)
    wix.routes[f"/media/{NECK_ID}~mv2.jpg"] = (200, "image/jpeg", b"")
    before = set(get_image_model().objects.values_list("pk", flat=True))

    out = run(wix.base + "/")

    imported = {p.slug for p in ArticlePage.objects.all()}
    assert {"ims-forearm", "desk-neck-stretches"} <= imported
    forearm = ImportedPage.objects.get(source_url__endswith="/post/ims-forearm")
    neck = ImportedPage.objects.get(source_url__endswith="/post/desk-neck-stretches")
    assert forearm.page_id and neck.page_id
    # Each bad file is named with its reason in the run's to-do list
    assert f"{media[FOREARM_ID]} has more pixels than we import" in out
    assert f"{media[CAMERA_ID]} is not a readable image" in out
    assert f"{NOALT_ID}~mv2.jpg" in out and f"{NECK_ID}~mv2.jpg" in out
    assert "Traceback" not in out
    # No image row without its import record, and none for the refused files
    new = set(get_image_model().objects.values_list("pk", flat=True)) - before
    assert new == set(ImportedImage.objects.values_list("image_id", flat=True)) - before
    refused = [wix.base + path for path in media.values()]
    assert not ImportedImage.objects.filter(source_url__in=refused).exists()
