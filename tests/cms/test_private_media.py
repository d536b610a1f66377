"""Files of private collections stay private on every public path, whether Django serves
MEDIA_URL itself with DEBUG off (tests, `make run` without a web server) or on (dev)."""

from __future__ import annotations

import importlib
import io
import json
import re

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.test import override_settings
from django.urls import clear_url_caches
from PIL import Image as PillowImage
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

import cms.urls
from pages.models import ClinicImage, ClinicSettings, ServicePage

SECRET_TEXT = b"Referral letter for a named patient: confidential."
API = "/api/v2"


def png_bytes(colour: str) -> bytes:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (1300, 700), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def empty_cache():
    """API responses and render facts are cached across requests; each test has its own data."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(params=[False, True], ids=["debug-off-production-style", "debug-on-dev"])
def media_urls(request, settings):
    """The URL configuration as built with DEBUG off or on (cms.urls branches on DEBUG)."""
    with override_settings(DEBUG=request.param):
        importlib.reload(cms.urls)
        clear_url_caches()
    yield request.param
    importlib.reload(cms.urls)
    clear_url_caches()


@pytest.fixture
def private_assets(demo_site):
    root = Collection.get_first_root_node()
    staff = root.add_child(name="Staff only")
    CollectionViewRestriction.objects.create(collection=staff, restriction_type="login")
    image = ClinicImage.objects.create(
        title="Staff x-ray",
        file=ImageFile(io.BytesIO(png_bytes("navy")), name="staff-xray.png"),
        collection=staff,
    )
    document = get_document_model().objects.create(
        title="Referral letter",
        file=ContentFile(SECRET_TEXT, name="referral-letter.txt"),
        collection=staff,
    )
    # Renditions an editor's visit to the admin (thumbnail) or an old page render left behind.
    renditions = [image.get_rendition(spec) for spec in ("max-165x165", "fill-1200x630")]
    page = ServicePage(
        title="Knee rehabilitation",
        slug="knee-rehab",
        introduction="<p>Getting back to running after a knee injury.</p>",
        hero_image=image,
        hero_image_alt="An x-ray of a knee",
        social_image=image,
        body=json.dumps(
            [
                {
                    "type": "image",
                    "value": {
                        "image": {"image": image.pk, "alt_text": "A knee", "decorative": False},
                        "caption": "The knee",
                    },
                },
                {
                    "type": "paragraph",
                    "value": f'<p><a linktype="document" id="{document.pk}">Our letter</a></p>',
                },
            ]
        ),
    )
    demo_site.get_children().get(slug="services").add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return {"image": image, "document": document, "renditions": renditions, "page": page}


def test_no_public_path_leaks_a_private_document_or_image(client, media_urls, private_assets):
    image, document, page = (private_assets[k] for k in ("image", "document", "page"))

    # The files themselves, by every URL they could be reached at.
    assert client.get(f"/media/{document.file.name}").status_code == 404
    assert client.get(f"/media/{image.file.name}").status_code == 404
    for rendition in private_assets["renditions"]:
        assert client.get(rendition.url).status_code == 404, rendition.url
    response = client.get(document.url)
    assert document.url.startswith(f"/documents/{document.pk}/")
    assert response.status_code == 302 and "login" in response["Location"]
    assert SECRET_TEXT not in response.content

    # The API: image and document endpoints, and the page's image fields.
    assert client.get(f"{API}/images/{image.pk}/").status_code == 404
    assert client.get(f"{API}/documents/{document.pk}/").status_code == 404
    listed = client.get(f"{API}/images/?limit=100").json()["items"]
    assert image.pk not in {item["id"] for item in listed}
    listed = client.get(f"{API}/documents/?limit=100").json()["items"]
    assert document.pk not in {item["id"] for item in listed}
    detail = client.get(f"{API}/pages/{page.pk}/").json()
    assert detail["hero_image"] is None and detail["social_image"] is None
    assert detail["seo"]["image"] is None
    assert [block["value"] for block in detail["body"] if block["type"] == "image"] == [None]
    listing = client.get(f"{API}/pages/?type=pages.ServicePage&fields=hero_image,seo").json()
    item = next(item for item in listing["items"] if item["id"] == page.pk)
    assert item["hero_image"] is None and item["seo"]["image"] is None

    # The public page: no image of the private collection anywhere, in the body, og:image
    # or JSON-LD; the document link leads to the login, as checked above.
    html = client.get(page.url).content.decode()
    assert "staff-xray" not in html
    # Its own pictures are private, so og:image and JSON-LD fall back to the clinic's share image.
    share = ClinicSettings.objects.get().share_image.get_rendition("fill-1200x630").url
    og_image = re.search(r'property="og:image" content="([^"]+)"', html).group(1)
    assert og_image.endswith(share)
    json_ld = json.loads(re.search(r'ld\+json">(.*?)</script>', html, re.S).group(1))
    assert all(node["image"].endswith(share) for node in json_ld["@graph"] if "image" in node)
    assert "Knee rehabilitation" in html


def test_public_images_are_served_as_renditions_only(client, media_urls, demo_site):
    page = ServicePage.objects.get(slug="ims")
    html = client.get(page.url).content.decode()
    rendition_urls = set(re.findall(r'/media/images/[^"\s,]+', html))
    assert rendition_urls, "the demo page shows its hero image"
    for url in rendition_urls:
        assert client.get(url).status_code == 200, url
    og_image = re.search(r'property="og:image" content="([^"]+)"', html).group(1)
    assert client.get(og_image).status_code == 200
    # Originals are never served, even of public images; the API offers a full-size rendition.
    assert client.get(f"/media/{page.hero_image.file.name}").status_code == 404
    data = client.get(f"{API}/images/{page.hero_image_id}/").json()
    for url in (data["meta"]["download_url"], data["renditions"]["large"]["url"]):
        assert "/media/images/" in url
        assert client.get(url).status_code == 200, url
    hero = client.get(f"{API}/pages/{page.pk}/").json()["hero_image"]
    assert client.get(hero["url"]).status_code == 200


def test_public_documents_only_through_the_document_view(client, media_urls, demo_site):
    document = get_document_model().objects.create(
        title="Price list", file=ContentFile(b"Prices from 2026.", name="price-list.txt")
    )
    response = client.get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Prices from 2026."
    assert client.get(f"/media/{document.file.name}").status_code == 404


def test_editors_see_private_renditions_in_the_admin_but_nothing_is_cached(
    client, media_urls, private_assets, django_user_model
):
    editor = django_user_model.objects.create_superuser("editor", "e@example.com", "pw")
    client.force_login(editor)
    thumbnail = private_assets["renditions"][0]
    response = client.get(thumbnail.url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert client.get(f"/media/{private_assets['image'].file.name}").status_code == 404


def test_unknown_and_traversal_media_paths_are_refused(client, media_urls, demo_site):
    for path in (
        "/media/images/../documents/anything.txt",
        "/media/images/nested/file.png",
        "/media/images/not-a-rendition.png",
        "/media/other/file.txt",
    ):
        assert client.get(path).status_code == 404, path


def test_an_image_leaves_public_pages_as_soon_as_its_collection_turns_private(client, demo_site):
    page = ServicePage.objects.get(slug="ims")
    clinic_room = Collection.get_first_root_node().add_child(name="Clinic room")
    ClinicImage.objects.filter(pk=page.hero_image_id).update(collection=clinic_room)
    stem = page.hero_image.file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    assert stem in client.get(page.url).content.decode()  # cached as public here
    CollectionViewRestriction.objects.create(collection=clinic_room, restriction_type="login")
    html = client.get(page.url).content.decode()
    assert stem not in html
    assert client.get(f"{API}/pages/{page.pk}/").json()["hero_image"] is None


def test_a_private_share_image_is_never_the_og_image(client, media_urls, private_assets):
    clinic = ClinicSettings.objects.get()
    clinic.share_image = private_assets["image"]
    clinic.save()
    html = client.get(private_assets["page"].url).content.decode()
    assert "staff-xray" not in html
    assert 'property="og:image"' not in html
