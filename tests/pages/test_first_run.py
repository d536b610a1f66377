"""A newcomer's first run: `run_site --port N` makes the whole site use port N, and an audit
whose start URL does not answer says so in words."""

from __future__ import annotations

import json
import re
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from audit.engine import EngineConfig, audit_site
from audit.engine.errors import FetchError
from audit.messages import start_failure_message
from cms.settings.address import base_url_for
from tests.pages.served_site import demo_site_copy, fetch, free_port, manage, serving


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("127.0.0.1", "8701", "http://127.0.0.1:8701"),
        ("0.0.0.0", 8080, "http://127.0.0.1:8080"),
        ("::", "9000", "http://[::1]:9000"),
        ("localhost", " 8002 ", "http://localhost:8002"),
    ],
)
def test_base_url_follows_the_address_served_on(host, port, expected):
    assert base_url_for(host, port) == expected


@pytest.mark.parametrize("port", ["eighty", "0", "70000", ""])
def test_a_bad_port_is_a_one_line_error(port):
    with pytest.raises(ImproperlyConfigured, match=r"^PORT=.* is not a port number: use 1 to"):
        base_url_for("127.0.0.1", port)


def test_every_fetch_error_has_a_sentence_naming_the_url():
    url = "http://127.0.0.1:8000/"
    for error in FetchError:
        message = start_failure_message(url, error)
        assert url in message, error
        if "-" in error.value:  # "connection-refused" is jargon; "timeout" is a word
            assert error.value not in message, f"{error}: engine jargon in {message!r}"
        assert message.endswith((".", "?")), message
    # Runs store the error's value; it reads the same.
    assert start_failure_message(url, "dns-error") == start_failure_message(url, FetchError.DNS)
    assert "http-418" in start_failure_message(url, "http-418")


def test_an_audit_of_a_port_where_nothing_answers_says_so_in_words():
    url = f"http://127.0.0.1:{free_port()}/"  # bound then released: nothing listens there
    result = audit_site(url, EngineConfig(max_pages=1, allow_private=True))
    assert result.start_error == FetchError.CONNECTION_REFUSED
    assert start_failure_message(url, result.start_error) == (
        f"Nothing answered at {url} (connection refused). Is the site served at that "
        "address? Check the target or WAGTAILADMIN_BASE_URL."
    )


def test_run_site_on_another_port_makes_every_address_use_that_port(tmp_path):
    env = demo_site_copy(tmp_path)  # loaded with no HOST/PORT: the Site says port 8000
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    run_site = [sys.executable, "manage.py", "run_site", "--port", str(port)]
    with serving(run_site, env, f"{base}/") as process:
        html = fetch(f"{base}/")[2].decode()
        api = json.loads(fetch(f"{base}/api/v2/pages/?limit=1")[2])
        favicon_status, favicon_headers, _ = fetch(f"{base}/favicon.ico")
    assert f"Serving {base}/" in process.stdout.read()

    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', html)[1]
    og_url = re.search(r'<meta property="og:url" content="([^"]+)"', html)[1]
    assert canonical == og_url == f"{base}/"
    json_ld = json.loads(re.search(r'application/ld\+json">(.*?)</script>', html, re.S)[1])
    urls = re.findall(r'"(https?://[^"]+)"', json.dumps(json_ld))
    site_urls = [u for u in urls if "127.0.0.1" in u or "localhost" in u]
    assert site_urls, json_ld
    assert all(u.startswith(f"{base}/") for u in site_urls), site_urls
    # WAGTAILADMIN_BASE_URL in the serving process (also the API's base URL, and the base of
    # moderation and audit e-mail links) follows the port.
    assert api["items"][0]["meta"]["detail_url"].startswith(f"{base}/api/v2/pages/")
    assert favicon_status == 200 and "icon" in favicon_headers["content-type"]

    # The Site record (the audit's pre-filled target, the sitemap) stays on the new port, and
    # a process started with the same PORT (run_site's worker sending e-mails) links there.
    script = (
        "from audit.services import site_root_url; from django.conf import settings;"
        "print(site_root_url(), settings.WAGTAILADMIN_BASE_URL)"
    )
    printed = manage(env | {"PORT": str(port)}, "shell", "-c", script, timeout=120)
    assert printed.splitlines()[-1].split() == [f"{base}/", base]
