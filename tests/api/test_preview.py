"""Headless preview (wagtail-headless-preview): on only when HEADLESS_PREVIEW_URL is set."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.test import override_settings
from django.urls import reverse

from tests.api.conftest import API

pytestmark = pytest.mark.django_db

FRONT_END = "https://front.example/preview"


@pytest.fixture
def editor_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


def draft_of(page, title: str):
    page.title = title
    page.save_revision()
    return page


@override_settings(HEADLESS_PREVIEW_URL=FRONT_END)
def test_preview_goes_to_the_front_end_and_the_api_serves_the_draft(editor_client, ims_page):
    draft_of(ims_page, "IMS draft for review")
    response = editor_client.get(reverse("wagtailadmin_pages:view_draft", args=[ims_page.pk]))
    assert response.status_code == 200
    iframe = BeautifulSoup(response.content, "lxml").find("iframe")
    preview_url = urlsplit(iframe["src"])
    assert f"{preview_url.scheme}://{preview_url.netloc}{preview_url.path}" == FRONT_END + "/"
    params = {key: values[0] for key, values in parse_qs(preview_url.query).items()}
    assert params["content_type"] == "pages.servicepage"

    editor_client.logout()  # the front end calls the API without the editor's session
    api = editor_client.get(f"{API}/page_preview/", params)
    assert api.status_code == 200
    data = api.json()
    assert data["title"] == "IMS draft for review"
    assert data["id"] == ims_page.pk
    assert data["body"] and data["breadcrumbs"][-1]["title"] == "IMS draft for review"
    assert "no-store" in api["Cache-Control"] and "private" in api["Cache-Control"]
    # The live API still shows the published title.
    live = editor_client.get(f"{API}/pages/{ims_page.pk}/").json()
    assert live["title"] != "IMS draft for review"


@override_settings(HEADLESS_PREVIEW_URL=FRONT_END)
def test_preview_api_rejects_bad_tokens(client, ims_page):
    base = f"{API}/page_preview/"
    assert client.get(base).status_code == 400
    forged = client.get(base, {"content_type": "pages.servicepage", "token": "id=1:forged"})
    assert forged.status_code == 404
    assert forged.json() == {"message": "preview not found or expired"}


def test_without_front_end_url_wagtail_renders_its_own_preview(editor_client, ims_page):
    draft_of(ims_page, "IMS draft in HTML")
    response = editor_client.get(reverse("wagtailadmin_pages:view_draft", args=[ims_page.pk]))
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "lxml")
    assert soup.find("iframe") is None
    assert soup.find("h1").get_text() == "IMS draft in HTML"
