"""Every label an editor reads in the page editor and clinic details is in words, with
abbreviations written as people write them ("Canonical URL", not "Canonical url")."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from bs4 import BeautifulSoup
from wagtail.blocks import Block
from wagtail.fields import StreamField
from wagtail.models import Site

from pages.models import (
    ArticleIndexPage,
    ArticlePage,
    ClinicSettings,
    HomePage,
    ServiceIndexPage,
    ServicePage,
)
from tests.users.helpers import client_for, make_user

EDITED_MODELS = [HomePage, ServiceIndexPage, ServicePage, ArticleIndexPage, ArticlePage]
# Abbreviations that read wrongly when only their first letter is capitalised.
ABBREVIATIONS = re.compile(r"\b(url|cta|faq|seo|og|api|html|id|json)\b", re.IGNORECASE)


def misspelt_abbreviations(label: str) -> list[str]:
    return [word for word in ABBREVIATIONS.findall(label) if not word.isupper()]


def block_labels(block: Block, path: str):
    yield path, str(block.label)
    for name, child in getattr(block, "child_blocks", {}).items():
        yield from block_labels(child, f"{path}.{name}")
    if hasattr(block, "child_block"):
        yield from block_labels(block.child_block, f"{path}.item")


def test_no_field_or_block_label_lowercases_an_abbreviation():
    wrong = []
    for model in [*EDITED_MODELS, ClinicSettings]:
        for field in model._meta.concrete_fields:
            label = str(field.verbose_name)
            if misspelt_abbreviations(label):
                wrong.append(f"{model.__name__}.{field.name}: {label!r}")
            if isinstance(field, StreamField):
                for path, label in block_labels(field.stream_block, field.name):
                    if misspelt_abbreviations(label):
                        wrong.append(f"{model.__name__}.{path}: {label!r}")
    assert not wrong, wrong


class LabelTexts(HTMLParser):
    """The text of every <label> and <legend> in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: list[str] = []
        self._open = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"label", "legend"}:
            self._open += 1
            self.labels.append("")

    def handle_endtag(self, tag):
        if tag in {"label", "legend"} and self._open:
            self._open -= 1

    def handle_data(self, data):
        if self._open:
            self.labels[-1] += data

    def texts(self) -> list[str]:
        return [" ".join(text.split()) for text in self.labels if text.strip()]


def labels_on(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = LabelTexts()
    parser.feed(response.content.decode())
    return parser.texts()


@pytest.mark.django_db
def test_the_service_editor_and_clinic_details_show_labels_as_words(demo_site):
    client = client_for(make_user("ada", superuser=True))
    service = ServicePage.objects.get(slug="ims")
    service_labels = labels_on(client, f"/admin/pages/{service.pk}/edit/")
    for expected in ["Canonical URL", "Call-to-action page", "Call-to-action URL"]:
        assert any(label.startswith(expected) for label in service_labels), service_labels
    site = Site.objects.get(is_default_site=True)
    clinic_labels = labels_on(client, f"/admin/settings/pages/clinicsettings/{site.pk}/")
    assert any(label.startswith("LinkedIn URL") for label in clinic_labels), clinic_labels
    wrong = [label for label in service_labels + clinic_labels if misspelt_abbreviations(label)]
    assert not wrong, wrong


@pytest.mark.django_db
def test_page_views_chart_has_labelled_axes_and_a_readable_total(demo_site):
    client = client_for(make_user("ada", superuser=True))
    response = client.get("/admin/reports/page-views/?period=30")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "lxml")
    row = soup.select_one("table[data-page-views-report] tbody tr")
    chart = row.find("figure", class_="page-views-chart")
    trend = [int(n) for n in chart.find("svg")["data-trend"].split(",")]
    y_axis = [span.get_text() for span in chart.select(".page-views-chart__y span")]
    assert y_axis == [str(max(trend)), "0"]
    x_axis = [span.get_text() for span in chart.select(".page-views-chart__x span")]
    assert x_axis[0] and x_axis[-1] == "today" and "views per day" in x_axis
    total = chart.find("figcaption")
    assert total.strong.get_text() == str(sum(trend)) and sum(trend) > 0
    assert total.get_text(" ", strip=True).endswith(
        f"view{'s' if sum(trend) != 1 else ''} in the last 30 days"
    )
