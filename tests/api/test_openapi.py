"""docs/openapi.json describes what the running API really returns, checked over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.api.test_query_counts import big_body

OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
DOC_URI = "urn:clinic-cms:openapi"


@pytest.fixture(scope="module")
def openapi() -> dict:
    return json.loads(OPENAPI.read_text())


@pytest.fixture(scope="module")
def check(openapi):
    registry = Registry().with_resource(
        DOC_URI, Resource.from_contents(openapi, default_specification=DRAFT202012)
    )

    def validate(instance, schema_name: str) -> None:
        schema = {"$ref": f"{DOC_URI}#/components/schemas/{schema_name}"}
        errors = list(Draft202012Validator(schema, registry=registry).iter_errors(instance))
        assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]

    return validate


@pytest.fixture
def api(live_demo_site):
    base = f"{live_demo_site.url}/api/v2"

    def get(path: str, status: int = 200):
        response = requests.get(f"{base}/{path}", timeout=10, allow_redirects=False)
        assert response.status_code == status, (path, response.status_code, response.text[:300])
        return response.json()

    return get


@pytest.fixture
def every_block_page(live_demo_site):
    """A published service page holding every block type, images and links."""
    from wagtail.models import Page

    from pages.models import ClinicImage, ServiceIndexPage, ServicePage

    targets = list(Page.objects.live().filter(depth__gt=1))
    page = ServicePage(
        title="Every block",
        slug="every-block",
        introduction="<p>All blocks.</p>",
        body=big_body(targets, list(ClinicImage.objects.all()), 2),
        cta_label="Book",
        cta_text="Book a visit",
        cta_page=targets[0],
    )
    ServiceIndexPage.objects.get().add_child(instance=page)
    page.save_revision().publish()
    return page


def test_every_page_detail_matches_its_schema(api, check, every_block_page):
    items = api("pages/?limit=100")["items"]
    assert len(items) == 10
    for item in items:
        detail = api(f"pages/{item['id']}/")
        page_type = detail["meta"]["type"].split(".")[1]
        check(detail, f"{page_type}Detail")
        check(detail, "PageDetail")
    block_types = {block["type"] for block in api(f"pages/{every_block_page.pk}/")["body"]}
    assert block_types == {"heading", "paragraph", "image", "quote", "call_to_action", "faq"}


@pytest.mark.parametrize(
    "page_type", ["HomePage", "ServiceIndexPage", "ServicePage", "ArticleIndexPage", "ArticlePage"]
)
def test_typed_listings_match_their_schema(api, check, page_type):
    listing = api(f"pages/?type=pages.{page_type}&fields=*")
    assert listing["items"]
    check(listing, "PageListing")
    for item in listing["items"]:
        check(item, f"{page_type}ListItem")


def test_untyped_listings_match(api, check):
    for query in ("", "?fields=*", "?fields=_,title", "?search=physiotherapy"):
        listing = api(f"pages/{query}")
        check(listing, "PageListing")
        for item in listing["items"]:
            check(item, "PageListItem")


def test_images_documents_and_redirects_match(api, check):
    from django.core.files.base import ContentFile
    from wagtail.contrib.redirects.models import Redirect
    from wagtail.documents import get_document_model

    from pages.models import ServicePage

    document = get_document_model()(title="Price list")
    document.file.save("prices.txt", ContentFile(b"prices"), save=True)
    Redirect.objects.create(old_path="/ims", redirect_page=ServicePage.objects.get(slug="ims"))
    Redirect.objects.create(old_path="/old-blog", redirect_link="https://blog.example/")
    check(api("images/?fields=*"), "ImageListing")
    image_id = api("images/")["items"][0]["id"]
    check(api(f"images/{image_id}/"), "Image")
    check(api("documents/"), "DocumentListing")
    check(api(f"documents/{document.pk}/"), "Document")
    redirects = api("redirects/")
    check(redirects, "RedirectListing")
    assert {item["location"] for item in redirects["items"]} == {
        "/services/ims/",
        "https://blog.example/",
    }
    check(api(f"redirects/{redirects['items'][0]['id']}/"), "Redirect")


def test_errors_match(api, check):
    check(api("pages/?limit=1000", status=400), "Error")
    check(api("pages/999999/", status=404), "Error")
    check(api("images/?fields=nope", status=400), "Error")


def test_documented_paths_are_the_mounted_endpoints(openapi, live_demo_site):
    from cms.api import api_router

    documented = {path.split("/")[3] for path in openapi["paths"]}
    assert documented == set(api_router._endpoints)
    for path in openapi["paths"]:
        url = live_demo_site.url + path.replace("{id}", "1")
        response = requests.get(url, timeout=10, allow_redirects=False)
        # Routed to the API: a JSON answer (200, 400 or 404 with a message), never the HTML site.
        assert response.headers["Content-Type"].startswith("application/json"), path


def test_the_check_rejects_undocumented_or_missing_fields(api, check):
    from pages.models import ServicePage

    detail = api(f"pages/{ServicePage.objects.get(slug='ims').pk}/")
    with pytest.raises(AssertionError, match="surprise"):
        check({**detail, "surprise": 1}, "ServicePageDetail")
    without_seo = {key: value for key, value in detail.items() if key != "seo"}
    with pytest.raises(AssertionError, match="'seo' is a required property"):
        check(without_seo, "ServicePageDetail")
