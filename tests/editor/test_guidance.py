"""Guidance in the editor: our counters script is loaded, and the content checker runs the
extra axe-core rules both in the editor's Checks panel and on previews / the live userbar."""

from __future__ import annotations

import json
import re

from django.contrib.staticfiles import finders

from pages.models import ServicePage
from tests.users.helpers import client_for
from users.content_checker import EXTRA_AXE_RULES

WAGTAIL_DEFAULT_RULES = ["heading-order", "empty-heading", "link-name", "alt-text-quality"]


def axe_configurations(html: str) -> list[dict]:
    """The axe configurations Wagtail embeds as JSON script elements."""
    found = re.findall(
        r'<script[^>]*id="checker-axe-configuration"[^>]*>(.*?)</script>', html, re.S
    )
    return [json.loads(text) for text in found]


def test_the_editor_loads_the_guidance_assets(people, demo_site):
    ims = ServicePage.objects.get(slug="ims")
    html = client_for(people["editor"]).get(f"/admin/pages/{ims.pk}/edit/").content.decode()
    assert "pages/admin/editor-guidance.js" in html
    assert "pages/admin/editor-guidance.css" in html
    assert finders.find("pages/admin/editor-guidance.js")
    assert finders.find("pages/admin/editor-guidance.css")


def test_the_checks_panel_runs_our_rules_on_top_of_wagtails(people, demo_site):
    ims = ServicePage.objects.get(slug="ims")
    html = client_for(people["editor"]).get(f"/admin/pages/{ims.pk}/edit/").content.decode()
    configurations = axe_configurations(html)
    assert configurations, "the Checks side panel carries an axe configuration"
    run_only = configurations[0]["options"]["runOnly"]
    assert set(EXTRA_AXE_RULES) <= set(run_only)
    assert set(WAGTAIL_DEFAULT_RULES) <= set(run_only)
    assert configurations[0]["messages"]["image-alt"]["error_name"] == "Image has no alt text"


def test_the_userbar_checker_on_a_page_runs_our_rules(people, demo_site):
    ims = ServicePage.objects.get(slug="ims")
    html = client_for(people["editor"]).get(ims.url).content.decode()
    configurations = axe_configurations(html)
    assert configurations
    assert set(EXTRA_AXE_RULES) <= set(configurations[0]["options"]["runOnly"])


def test_readers_get_no_checker(demo_site, client):
    ims = ServicePage.objects.get(slug="ims")
    assert axe_configurations(client.get(ims.url).content.decode()) == []
