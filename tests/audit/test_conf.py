"""SEO_AUDIT settings: defaults from code, overrides validated with one-line errors."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from audit.conf import audit_setting, audit_settings, severity_weight
from audit.engine import EngineConfig
from audit.options import build_config


def test_a_misspelt_key_is_refused_naming_it_and_the_known_keys(settings):
    settings.SEO_AUDIT = {"KEEP_RUN": 5}
    with pytest.raises(ImproperlyConfigured) as raised:
        audit_setting("KEEP_RUNS")
    message = str(raised.value)
    assert "'KEEP_RUN'" in message and "KEEP_RUNS" in message and "\n" not in message


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"KEEP_RUNS": "20"}, r"SEO_AUDIT\['KEEP_RUNS'\] must be a whole number >= 0, not '20'"),
        ({"KEEP_RUNS": -1}, "must be a whole number >= 0"),
        ({"AUDIT_AFTER_PUBLISH": "yes"}, "must be True or False"),
        ({"STORE_BATCH_PAGES": 0}, "must be a whole number >= 1"),
        ({"POLL_INTERVAL": 0}, "must be a number of seconds > 0"),
        ({"STALE_AFTER": 1, "POLL_INTERVAL": 0.5}, "must be at least 3 x POLL_INTERVAL"),
        ({"CRAWL_OPTIONS": {"max_page": 5}}, r"unknown crawl option\(s\) 'max_page'; known: "),
        ({"THRESHOLDS": {"title_max": "70"}}, r"\['title_max'\] must be a whole number"),
        ({"SEVERITY_WEIGHTS": {"critical": 50}}, r"unknown severity\(s\) 'critical'"),
        ({"ADMIN_RUNS_PATH": "/"}, "must be a URL path"),
        (["KEEP_RUNS", 5], "SEO_AUDIT must be a dict, not list"),
    ],
)
def test_a_bad_value_is_refused_naming_the_key_and_what_it_accepts(settings, overrides, message):
    settings.SEO_AUDIT = overrides
    with pytest.raises(ImproperlyConfigured, match=message):
        audit_settings()


def test_overrides_replace_defaults_key_by_key(settings):
    settings.SEO_AUDIT = {"KEEP_RUNS": 3, "SEVERITY_WEIGHTS": {"error": 20}}
    assert audit_setting("KEEP_RUNS") == 3
    assert audit_setting("EMAIL_TOP_FINDINGS") == 10  # default kept
    assert severity_weight("error") == 20 and severity_weight("warning") == 3


@pytest.mark.django_db  # the profile of our own sites is read from the database
def test_crawl_defaults_are_the_engines_own(settings):
    """No crawl number is repeated on the Django side: an empty SEO_AUDIT gives EngineConfig()."""
    settings.SEO_AUDIT = {}
    built, engine = build_config(None), EngineConfig()
    # The profile is not a crawl number: it describes our own sites (tests/audit/test_profile.py).
    crawl_fields = [f.name for f in dataclasses.fields(EngineConfig) if f.name != "profile"]
    assert {name: getattr(built, name) for name in crawl_fields} == {
        name: getattr(engine, name) for name in crawl_fields
    }


def test_manage_py_check_reports_a_bad_seo_audit(settings):
    settings.SEO_AUDIT = {"KEEP_RUN": 5}
    with pytest.raises(SystemCheckError, match=r"audit\.E001.*unknown key\(s\) 'KEEP_RUN'"):
        call_command("check")
