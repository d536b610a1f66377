"""A view counts only when a reader got the page (issue 24, cases 5 and 11).

Restricted pages (password, login, groups, on the page or an ancestor) answer with a form or
a redirect to readers who may not see them: that counts nothing, and no count of the page is
shown to them in the HTML, the API or the beacon. A page that fails while rendering answers
500 and counts nothing. Every request goes to a real server (live_server) with requests.
"""

from __future__ import annotations

import pytest
import requests
from django.contrib.auth.models import Group
from django.template import engines
from wagtail.models import Page, PageViewRestriction

from pages.models import ServicePage
from pageviews.service import view_total
from tests.pageviews.view_helpers import BROWSER_UA, IMS_URL

pytestmark = pytest.mark.django_db(transaction=True)
READER = {"User-Agent": BROWSER_UA}
PASSWORD = "clinic-staff-only"


def restrict(page: Page, kind: str) -> PageViewRestriction:
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=kind, password=PASSWORD if kind == "password" else ""
    )
    if kind == "groups":
        restriction.groups.add(Group.objects.get_or_create(name="Clinic staff")[0])
    return restriction


@pytest.fixture
def site(ims, live_server):
    return ims, live_server.url


@pytest.mark.parametrize("kind", ["password", "login", "groups"])
@pytest.mark.parametrize("where", ["page", "parent"])
def test_a_restricted_page_counts_nothing_and_shows_no_count(site, kind, where):
    ims, base = site
    restrict(ims if where == "page" else ims.get_parent(), kind)
    before = view_total(ims.pk)
    with requests.Session() as reader:
        html = reader.get(base + IMS_URL, headers=READER, timeout=10)
        api = reader.get(f"{base}/api/v2/pages/{ims.pk}/?fields=view_count", timeout=10)
        listing = reader.get(
            f"{base}/api/v2/pages/?type=pages.ServicePage&fields=view_count", timeout=10
        )
        beacon = reader.post(f"{base}/api/v2/pages/{ims.pk}/view/", headers=READER, timeout=10)
    assert html.status_code == 200  # the password form, or the login page after a redirect
    assert "view-count" not in html.text and "userInteractionCount" not in html.text
    assert api.status_code == 404
    assert ims.pk not in [item["id"] for item in listing.json()["items"]]
    assert beacon.status_code == 404 and "view_count" not in beacon.json()
    assert view_total(ims.pk) == before


def test_the_reader_who_gives_the_password_is_counted(site):
    ims, base = site
    restriction = restrict(ims, "password")
    before = view_total(ims.pk)
    with requests.Session() as reader:
        form = reader.get(base + IMS_URL, headers=READER, timeout=10)
        assert "view-count" not in form.text and view_total(ims.pk) == before
        reader.get(base + IMS_URL, headers=READER, timeout=10)  # the form again: no count
        token = reader.cookies["csrftoken"]
        answer = reader.post(
            f"{base}/_util/authenticate_with_password/{restriction.pk}/{ims.pk}/",
            data={"password": PASSWORD, "return_url": IMS_URL, "csrfmiddlewaretoken": token},
            headers={**READER, "Referer": base + IMS_URL},
            timeout=10,
        )
    assert answer.status_code == 200 and 'class="view-count"' in answer.text
    assert view_total(ims.pk) == before + 1


@pytest.fixture
def failing_template(monkeypatch):
    """The page's template breaks while rendering (a missing include), after serve() returned:
    Wagtail's TemplateResponse renders after the on_serve_page hooks have run."""
    broken = engines["django"].from_string(
        "{% include 'pages/includes/view_count.html' %}{% include 'no/such/template.html' %}"
    )
    monkeypatch.setattr(ServicePage, "get_template", lambda self, request, *a, **k: broken)


def test_a_page_that_fails_while_rendering_counts_nothing(site, failing_template):
    ims, base = site
    before = view_total(ims.pk)
    answers = [requests.get(base + IMS_URL, headers=READER, timeout=10) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [500, 500, 500]
    assert view_total(ims.pk) == before


def test_the_reader_of_a_page_that_failed_is_counted_once_it_renders(site, monkeypatch):
    ims, base = site
    before = view_total(ims.pk)
    good = ServicePage.get_template
    broken = engines["django"].from_string("{% include 'no/such/template.html' %}")
    monkeypatch.setattr(ServicePage, "get_template", lambda self, request, *a, **k: broken)
    assert requests.get(base + IMS_URL, headers=READER, timeout=10).status_code == 500
    monkeypatch.setattr(ServicePage, "get_template", good)
    answer = requests.get(base + IMS_URL, headers=READER, timeout=10)
    assert answer.status_code == 200
    assert view_total(ims.pk) == before + 1
    assert f'data-views="{before + 1}"' in answer.text
