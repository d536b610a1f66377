""" "Check this draft" lists what Submit and Publish would refuse, first and in the form's
words (issue 26): a draft that passes the check can be submitted."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from wagtail.blocks.base import get_error_json_data
from wagtail.test.utils.form_data import rich_text

from pages.models import ArticleIndexPage, ArticlePage, ClinicImage, ServicePage
from tests.users.helpers import client_for, editor_form_data, image_block, make_role_users

STATIC_ONLY = "?browser=0"
ALT_MESSAGE = "Please add some alt text for your image or mark it as decorative"
HERO_MESSAGE = (
    "Add alt text describing the hero image, or tick 'hero image is decorative' if it adds "
    "nothing for the reader."
)


@pytest.fixture
def people(demo_site):
    return make_role_users()


def _leaf_messages(data: dict) -> list[str]:
    """Every message in Wagtail's JSON form of a block error (what the editor shows)."""
    found = list(data.get("messages", []))
    children = data.get("blockErrors", {})
    for child in children.values() if isinstance(children, dict) else children:
        if child:
            found.extend(_leaf_messages(child))
    return found


def form_messages(form) -> list[str]:
    """The messages the page editor shows for an invalid form, StreamField blocks included."""
    messages = []
    for name, errors in form.errors.items():
        for error in errors.as_data():
            if hasattr(form.fields.get(name), "block"):
                messages.extend(_leaf_messages(get_error_json_data(error)))
            else:
                messages.extend(error.messages)
    return messages


def article_form(client, url: str, body: list, **fields) -> dict:
    data = editor_form_data(
        client,
        url,
        body=body,
        title="Knee pain on the stairs",
        introduction=rich_text("<p>Why stairs hurt and what helps.</p>"),
        author="Sam Patel, physiotherapist",
        **fields,
    )
    return data


def blocking_section(html: str):
    soup = BeautifulSoup(html, "lxml")
    return soup, soup.select_one("section#draft-blocking")


def test_a_draft_that_cannot_be_submitted_lists_the_forms_errors_first(people):
    """An editor saves a draft with an empty heading block, an empty quote, an image neither
    described nor decorative and no article date: the draft check lists the very errors
    "Submit" then gives, before the SEO findings, each linked to its field."""
    client = client_for(people["editor"])
    articles = ArticleIndexPage.objects.get()
    add_url = f"/admin/pages/add/pages/articlepage/{articles.pk}/"
    image = ClinicImage.objects.first()
    body = [
        ("heading", {"text": "", "level": "h2"}),
        ("quote", {"quote": "", "attribution": ""}),
        image_block(image.pk),
    ]
    data = article_form(client, add_url, body, slug="knee-stairs", date="")
    assert client.post(add_url, data).status_code == 302  # "Save draft" defers these checks
    article = ArticlePage.objects.get(slug="knee-stairs")
    edit_url = reverse("wagtailadmin_pages:edit", args=[article.pk])

    # What the editor is told on "Submit to Marketing approval".
    submit = dict(article_form(client, edit_url, body, date=""), **{"action-submit": "1"})
    response = client.post(edit_url, submit)
    assert response.status_code == 200
    expected = form_messages(response.context["form"])
    assert sorted(expected) == sorted(
        ["This field is required."] * 3 + [ALT_MESSAGE]  # heading, quote, date; the image
    )

    html = client.get(reverse("seo_audits:check_draft", args=[article.pk]) + STATIC_ONLY)
    html = html.content.decode()
    soup, section = blocking_section(html)
    assert section is not None and "Cannot be submitted or published yet" in section.text
    # Before the SEO findings.
    assert html.index('id="draft-blocking"') < html.index('id="draft-findings"')
    items = section.select("li.audit-blocking__problem")
    listed = [
        re.sub(r"^.*?: ", "", li.text.replace("Fix it in the editor", "").strip()) for li in items
    ]
    assert sorted(listed) == sorted(expected)
    places = [li.strong.text for li in items]
    assert "Article date" in places
    assert "Body → block 1 (Heading) → Text" in places
    assert "Body → block 2 (Quote) → Quote" in places
    assert "Body → block 3 (Image) → Image → Alt text" in places
    # Each link opens the editor at an element the editor page really has.
    editor_ids = set(re.findall(r'\bid="([^"]+)"', client.get(edit_url).content.decode()))
    for li in items:
        href = li.a["href"]
        assert href.startswith(edit_url + "#")
        assert href.split("#", 1)[1] in editor_ids, href
    assert {li["data-field"] for li in items} == {"date", "body"}
    # Checking changed nothing.
    article.refresh_from_db()
    assert not article.live and article.date is None


def test_a_hero_image_without_alt_text_is_listed_with_the_models_message(people):
    """Drafts the importer writes skip the form: a hero image without alt text is caught by
    the page model's own clean(), with its wording."""
    ims = ServicePage.objects.get(slug="ims")
    ims.hero_image = ClinicImage.objects.first()
    ims.hero_image_alt, ims.hero_image_decorative = "", False
    ims.save_revision(clean=False)
    client = client_for(people["editor"])
    html = client.get(reverse("seo_audits:check_draft", args=[ims.pk]) + STATIC_ONLY)
    _, section = blocking_section(html.content.decode())
    items = section.select("li.audit-blocking__problem")
    assert len(items) == 1
    assert items[0].strong.text == "Hero image alt text"
    assert HERO_MESSAGE in items[0].text
    assert items[0].a["href"].endswith("/edit/#id_hero_image_alt")


def test_a_clean_draft_has_nothing_blocking(people):
    article = ArticlePage.objects.live().first()
    article.title = "A small change, saved as a draft"
    article.save_revision()
    client = client_for(people["editor"])
    html = client.get(reverse("seo_audits:check_draft", args=[article.pk]) + STATIC_ONLY)
    _, section = blocking_section(html.content.decode())
    assert section.select("li.audit-blocking__problem") == []
    assert "Nothing stops this draft from being submitted or published" in section.text
