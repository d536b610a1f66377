"""API settings: defaults from code, overrides validated with one-line errors."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from pages.api.conf import api_setting, api_settings, headless_preview_url


def test_defaults_apply_when_nothing_is_set():
    assert api_setting("API_CACHE_MAX_AGE") == 60
    assert headless_preview_url() == ""


def test_a_misspelt_setting_is_refused_naming_it_and_the_known_ones(settings):
    settings.API_CACHE_MAXAGE = 300
    with pytest.raises(ImproperlyConfigured) as raised:
        api_settings()
    message = str(raised.value)
    assert "API_CACHE_MAXAGE" in message and "API_CACHE_MAX_AGE" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("API_CACHE_MAX_AGE", "60", "API_CACHE_MAX_AGE must be a whole number of seconds >= 0"),
        ("API_CACHE_MAX_AGE", -5, "must be a whole number of seconds >= 0, not -5"),
        ("HEADLESS_PREVIEW_TOKEN_MAX_AGE", 0, "must be a whole number of seconds >= 1"),
        ("HEADLESS_PREVIEW_URL", "front.example/preview", "must be an http\\(s\\) URL"),
        ("API_IMAGE_RENDITIONS", {"thumbnail": None}, "must map names to Wagtail filter specs"),
    ],
)
def test_a_bad_value_is_refused_naming_the_setting(settings, name, value, message):
    setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        api_settings()


def test_an_override_is_read_and_the_preview_url_gets_its_slash(settings):
    settings.API_CACHE_MAX_AGE = 300
    settings.HEADLESS_PREVIEW_URL = "http://127.0.0.1:3000/preview"
    assert api_setting("API_CACHE_MAX_AGE") == 300
    assert headless_preview_url() == "http://127.0.0.1:3000/preview/"


def test_manage_py_check_reports_a_bad_api_setting(settings):
    settings.API_CACHE_MAX_AGE = "soon"
    with pytest.raises(SystemCheckError, match=r"pages\.E001.*API_CACHE_MAX_AGE must be"):
        call_command("check")
