"""No query string makes the API answer 5xx: every parameter docs/openapi.json documents, every
field filter of every endpoint and the view-count beacon, each given hostile values (huge
numbers, other scripts' digits, very long text, hundreds of search words, `fields=` nested
hundreds deep, full-text query syntax). A value past a bound is a 400 whose JSON message names
the parameter. Run on SQLite and, with DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pages.api.validation import MAX_FIELDS_DEPTH, MAX_LENGTHS, MAX_SEARCH_WORDS, MAX_VALUE_LENGTH
from tests.api.conftest import API

pytestmark = pytest.mark.django_db

# Parameters read as whole numbers.
NUMBERS = ("id", "child_of", "ancestor_of", "descendant_of", "translation_of", "limit", "offset")
OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"

# Values past a bound: the answer is a 400 naming the parameter.
PAST_A_BOUND = [
    "9" * 5000,  # int() refuses more than 4300 digits
    "9" * 20,  # past the largest id a database stores
    "a" * (MAX_VALUE_LENGTH + 1),
]
SEARCH_PAST_A_BOUND = [" ".join(["neck"] * 250), " ".join(["neck"] * (MAX_SEARCH_WORDS + 1))]
FIELDS_PAST_A_BOUND = [
    "title(" * 500 + "id" + ")" * 500,
    "(" * 500,
    "parent(" * (MAX_FIELDS_DEPTH + 1) + "id" + ")" * (MAX_FIELDS_DEPTH + 1),
]
# Any other odd value: anything but a 5xx.
ODD = [
    "",
    " ",
    "-1",
    "0",
    "²",  # str.isdigit() says yes, int() says no
    "١٢٣",  # Arabic-Indic digits: int() reads them
    "1e9",
    " 1",
    "0x10",
    "root",
    '"',
    "'",
    "*",
    "-",
    "(",
    ")",
    ",",
    "()",
    "a,,b",
    "-title,*",
    "NEAR(neck back)",
    'neck" OR "back',
    "neck AND OR NOT",
    "%",
    "_",
    "\\",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "😀" * 50,
    "\u202e\u200b",
    "a" * MAX_VALUE_LENGTH,
    " ".join(["neck"] * MAX_SEARCH_WORDS),
    "title(" * MAX_FIELDS_DEPTH + "id" + ")" * MAX_FIELDS_DEPTH,
]


def documented() -> list[tuple[str, str]]:
    """(path template, parameter name) for every parameter of every documented GET."""
    spec = json.loads(OPENAPI.read_text())
    shared = spec["components"]["parameters"]
    found = []
    for path, operations in spec["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if "$ref" in parameter:
                parameter = shared[parameter["$ref"].rsplit("/", 1)[1]]
            if parameter["in"] == "query":
                found.append((path, parameter["name"]))
    return found


DOCUMENTED = documented()


def field_filters() -> list[tuple[str, dict[str, str], str]]:
    """(listing path, its other parameters, field) for every database field each listing
    filters on, for each page type and the other endpoints."""
    from wagtail.contrib.redirects.models import Redirect
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Page

    from pages.api import views
    from pages.models import ArticlePage, HomePage, ServicePage

    found = []
    for name, viewset, model, query in [
        ("pages", views.ClinicPagesAPIViewSet, Page, {}),
        ("pages", views.ClinicPagesAPIViewSet, ServicePage, {"type": "pages.ServicePage"}),
        ("pages", views.ClinicPagesAPIViewSet, ArticlePage, {"type": "pages.ArticlePage"}),
        ("pages", views.ClinicPagesAPIViewSet, HomePage, {"type": "pages.HomePage"}),
        ("images", views.ClinicImagesAPIViewSet, get_image_model(), {}),
        ("documents", views.ClinicDocumentsAPIViewSet, get_document_model(), {}),
        ("redirects", views.ClinicRedirectsAPIViewSet, Redirect, {}),
    ]:
        for field in viewset.get_available_fields(model, db_fields_only=True):
            found.append((f"{API}/{name}/", query, field))
    return found


def real_path(template: str, ids: dict[str, int]) -> str:
    endpoint = template.removeprefix("/api/v2/").split("/", 1)[0]
    return template.replace("{id}", str(ids.get(endpoint, 1)))


@pytest.fixture
def ids(demo_site, ims_page) -> dict[str, int]:
    from wagtail.contrib.redirects.models import Redirect
    from wagtail.documents import get_document_model

    from pages.models import ClinicImage

    document = get_document_model().objects.first()
    redirect = Redirect.objects.first()
    return {
        "pages": ims_page.pk,
        "images": ClinicImage.objects.first().pk,
        "documents": document.pk if document else 1,
        "redirects": redirect.pk if redirect else 1,
    }


@pytest.fixture(autouse=True)
def preview_on(settings):
    settings.HEADLESS_PREVIEW_URL = "http://127.0.0.1:9/preview/"


def ask(client, path: str, name: str, value: str, others: dict[str, str] | None = None):
    """GET `path` with `name=value` (and `others`): never a 5xx; a 400 is one line of JSON."""
    response = client.get(path, {**(others or {}), name: value})
    assert response.status_code < 500, (path, name, value[:80], response.content[:300])
    if response.status_code == 400:
        body = response.json()
        # The events feed also names the parameter (its documented ParameterError).
        assert set(body) in ({"message"}, {"message", "parameter"}), body
        assert "\n" not in body["message"]
    return response


def assert_names(response, name: str, value: str) -> None:
    assert response.status_code == 400, (name, value[:80], response.status_code)
    assert name in response.json()["message"], (name, response.json())


def past_bounds(name: str) -> list[str]:
    """The hostile values past one of this parameter's bounds."""
    values = [
        value for value in PAST_A_BOUND if len(value) > MAX_LENGTHS.get(name, MAX_VALUE_LENGTH)
    ]
    if name in NUMBERS:
        values += [value for value in PAST_A_BOUND if value.isdigit()]
    if name == "search":
        values += SEARCH_PAST_A_BOUND
    if name == "fields":
        values += FIELDS_PAST_A_BOUND
    return list(dict.fromkeys(values))


@pytest.mark.parametrize(("template", "name"), DOCUMENTED)
def test_every_documented_parameter(client, ids, template, name):
    path = real_path(template, ids)
    bounded = past_bounds(name)
    for value in [*ODD, *PAST_A_BOUND, *SEARCH_PAST_A_BOUND, *FIELDS_PAST_A_BOUND]:
        response = ask(client, path, name, value)
        if value in bounded:
            assert_names(response, name, value)


def test_every_field_filter(client, demo_site):
    for path, others, name in field_filters():
        for value in [*ODD, *PAST_A_BOUND]:
            response = ask(client, path, name, value, others)
            if value in past_bounds(name):
                assert_names(response, name, value)


def test_the_query_as_a_whole(client, demo_site):
    many = {f"p{n}": "1" for n in range(40)}
    assert_names(client.get(f"{API}/pages/", many), "query parameters", "")
    repeated = client.get(f"{API}/pages/?" + "&".join(["slug=a"] * 20))
    assert_names(repeated, "slug", "")
    long_name = client.get(f"{API}/pages/", {"x" * 5000: "1"})
    assert long_name.status_code == 400


@pytest.mark.parametrize("page_id", ["9" * 20, "9" * 5000, "0", "²", "-1"])
def test_the_view_count_beacon(client, demo_site, page_id):
    response = client.post(f"{API}/pages/{page_id}/view/")
    assert response.status_code in (404, 405), (page_id[:30], response.status_code)
