"""Audit targets from the admin: this CMS's own sites, public sites and allowed hosts only.

Vetting resolves names and never connects: the targets here are address literals or names
from /etc/hosts, and no run is started (a started run would crawl at once in tests).
"""

from __future__ import annotations

import json
import socket
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import override_settings
from wagtail.models import Site

from audit import targets
from audit.engine.config import EngineConfig
from audit.forms import StartRunForm
from audit.models import AuditSchedule
from audit.services import create_run, execute_run
from audit.targets import admin_engine_overrides, vet_admin_target
from tests.audit.admin.conftest import client_for, make_user, schedule_data

pytestmark = pytest.mark.django_db

MANAGER_PERMS = ("wagtailadmin.access_admin", "audit.view_auditrun", "audit.manage_audits")
DEMO_SITE = "http://127.0.0.1:8000/"  # WAGTAILADMIN_BASE_URL, the demo Site's host and port

REFUSED = [
    "http://10.0.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:6379/",
    "http://localhost:6379/",
    "http://[::ffff:10.0.0.1]/",
    "http://[64:ff9b::a00:1]/",
    "http://[2002:a00:1::]/",  # 6to4 around 10.0.0.1
    "http://[::a00:1]/",  # IPv4-compatible 10.0.0.1
    "http://[::ffff:0:7f00:1]:8000/",  # IPv4-translated 127.0.0.1 (issue 24 case 7)
    "http://[::ffff:0:a9fe:a9fe]/latest/meta-data/",  # IPv4-translated metadata address
    "http://[64:ff9b::7f00:1]:6379/",  # NAT64 around 127.0.0.1
    "http://[2002:7f00:1::]:6379/",  # 6to4 around 127.0.0.1
    "http://[::1]:8000/",  # the demo site's port, but not its host
    "http://127.0.0.1:8001/",  # the demo site's host, but not its port
    "http://192.0.0.8/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://[fd12:3456::1]/",
    "http://[fe80::1]/",
]


@pytest.fixture(autouse=True)
def no_allowed_hosts(settings):
    """The production default: the test settings allow loopback fixture servers."""
    settings.SEO_AUDIT_ALLOWED_HOSTS = []


@pytest.fixture
def manager(demo_site):
    return client_for(make_user("max", *MANAGER_PERMS))


@pytest.mark.parametrize("url", REFUSED)
def test_private_targets_are_refused_by_both_forms(manager, url):
    form = StartRunForm({"target_url": url})
    assert not form.is_valid()
    message = form.errors["target_url"][0]
    assert "is not allowed" in message and "SEO_AUDIT_ALLOWED_HOSTS" in message
    assert "\n" not in message

    response = manager.post("/admin/seo-audits/schedules/new/", schedule_data(target_url=url))
    assert response.status_code == 200
    assert "is not allowed" in response.content.decode()
    assert not AuditSchedule.objects.exists()


@pytest.mark.parametrize("url", [DEMO_SITE, "http://127.0.0.1:8000/services/ims/"])
def test_the_cms_own_site_is_accepted(manager, url):
    form = StartRunForm({"target_url": url})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["target_url"] == url
    response = manager.post("/admin/seo-audits/schedules/new/", schedule_data(target_url=url))
    assert response.status_code == 302
    assert AuditSchedule.objects.get().target_url == url


def test_public_addresses_are_accepted_without_connecting(demo_site):
    for url in ("http://93.184.215.14/", "https://[2606:4700::6810:84e5]/"):
        assert vet_admin_target(url) == url


@override_settings(SEO_AUDIT_ALLOWED_HOSTS=["10.0.0.1", "127.0.0.1:6379", "[::1]:9000"])
def test_hosts_in_the_setting_are_accepted(manager):
    assert vet_admin_target("http://10.0.0.1:8080/") == "http://10.0.0.1:8080/"
    assert vet_admin_target("http://127.0.0.1:6379/") == "http://127.0.0.1:6379/"
    assert vet_admin_target("http://[::1]:9000/") == "http://[::1]:9000/"
    with pytest.raises(ValidationError, match="is not allowed"):
        vet_admin_target("http://127.0.0.1:6380/")  # another port of an allowed host:port
    response = manager.post(
        "/admin/seo-audits/schedules/new/", schedule_data(target_url="http://10.0.0.1/")
    )
    assert response.status_code == 302


@pytest.mark.parametrize("entry", ["http://x.example/", "host:port", "[::1]:99999", "a/b"])
def test_a_malformed_setting_is_named(demo_site, entry):
    with (
        override_settings(SEO_AUDIT_ALLOWED_HOSTS=[entry]),
        pytest.raises(ImproperlyConfigured, match="SEO_AUDIT_ALLOWED_HOSTS entry"),
    ):
        vet_admin_target("http://10.0.0.1/")
    with (
        override_settings(SEO_AUDIT_ALLOWED_HOSTS="10.0.0.1"),
        pytest.raises(ImproperlyConfigured, match="must be a list"),
    ):
        vet_admin_target("http://10.0.0.1/")


def test_bad_urls_get_the_start_url_message(demo_site):
    with pytest.raises(ValidationError, match="not http"):
        vet_admin_target("ftp://clinic.example/")


def test_a_name_that_does_not_resolve_is_refused(demo_site, monkeypatch):
    # A failed lookup is a resolver fault no local server can produce.
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(targets.socket, "getaddrinfo", fail)
    with pytest.raises(ValidationError, match="does not resolve"):
        vet_admin_target("http://clinic-typo.example/")


def test_a_hung_resolver_is_a_deadline_not_a_hang(demo_site, monkeypatch):
    # The resolver hangs until the test lets it go: the refusal must come back while it still
    # hangs, so the deadline, not the resolver, ended the wait.
    released = threading.Event()
    finished: list[bool] = []

    def hang(*args, **kwargs):
        released.wait(30)
        finished.append(True)
        raise socket.gaierror(socket.EAI_AGAIN, "released by the test")

    monkeypatch.setattr(targets, "RESOLVE_TIMEOUT", 0.2)
    monkeypatch.setattr(targets.socket, "getaddrinfo", hang)
    try:
        with pytest.raises(ValidationError, match="did not resolve within"):
            vet_admin_target("http://slow-dns.example/")
        assert finished == []
    finally:
        released.set()


def test_a_site_on_a_web_port_counts_for_http_and_https(demo_site):
    Site.objects.filter(is_default_site=True).update(hostname="cms.internal", port=80)
    for url in ("http://cms.internal/", "https://cms.internal/"):
        assert vet_admin_target(url) == url  # matched by name: nothing is resolved
    assert admin_engine_overrides()["trusted_hosts"] == ("cms.internal:80", "cms.internal:443")


@override_settings(SEO_AUDIT_ALLOWED_HOSTS=["staging.clinic.test:8443", "10.0.0.1"])
def test_engine_overrides_trust_only_own_sites_and_allowed_hosts(demo_site):
    overrides = admin_engine_overrides()
    assert overrides == {
        "allow_private": False,
        "trusted_hosts": ("127.0.0.1:8000", "staging.clinic.test:8443", "10.0.0.1"),
    }
    config = EngineConfig(**overrides)
    assert config.allow_private is False and "127.0.0.1:8000" in config.trusted_hosts


# -- extra hosts (issue 24, case 10) ---------------------------------------------------------

EXTRA_REFUSED = ["127.0.0.1:6379", "10.0.0.1", "169.254.169.254", "[::1]:8000", "localhost:5432"]


@pytest.mark.parametrize("host", EXTRA_REFUSED)
def test_a_schedules_private_extra_hosts_are_refused_when_saved(manager, host):
    options = json.dumps({"extra_hosts": [host]})
    response = manager.post(
        "/admin/seo-audits/schedules/new/", schedule_data(crawl_options=options)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Extra host &#x27;{host}&#x27;:" in html
    # the target's own message: what is wrong and the setting that allows it
    assert "is a private or reserved address" in html and "SEO_AUDIT_ALLOWED_HOSTS" in html
    assert not AuditSchedule.objects.exists()


def test_public_own_and_allowed_extra_hosts_are_accepted(manager, settings):
    settings.SEO_AUDIT_ALLOWED_HOSTS = ["127.0.0.1:6379"]
    hosts = ["93.184.215.14", "127.0.0.1:8000", "127.0.0.1:6379"]
    response = manager.post(
        "/admin/seo-audits/schedules/new/",
        schedule_data(crawl_options=json.dumps({"extra_hosts": hosts})),
    )
    assert response.status_code == 302
    assert AuditSchedule.objects.get().crawl_options == {"extra_hosts": hosts}


def test_a_run_refusing_an_extra_host_of_our_loopback_site_says_what_to_do(demo_site):
    """A schedule saved before the form vetted extra hosts: the run refuses the host when it
    starts; our own site is on 127.0.0.1, so the message must not call it a public site."""
    run = execute_run(
        create_run(DEMO_SITE, trigger="schedule", options={"extra_hosts": ["127.0.0.1:6379"]})
    )
    assert run.status == "failed" and run.pages.count() == 0
    assert "public" not in run.error
    assert "'127.0.0.1:6379' resolves to a private or reserved address" in run.error
    assert "SEO_AUDIT_ALLOWED_HOSTS" in run.error
