"""docs/webhooks.md: one example per event, each valid against docs/webhooks.schema.json and
shaped like a payload the CMS really sends; its Python and JavaScript verification snippets
accept a real signed delivery."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from wagtail.contrib.redirects.models import Redirect

from audit.models import AuditRun
from pages import events
from pages.models import ServiceIndexPage, ServicePage
from webhooks.models import Endpoint, Event
from webhooks.payloads import EVENT_TYPES
from webhooks.tasks import send_ping

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "webhooks.md").read_text()
SCHEMA = json.loads((ROOT / "docs" / "webhooks.schema.json").read_text())
FRONTEND = ROOT / "frontend"


def examples() -> dict[str, dict]:
    """The JSON block under each ``### `type``` heading."""
    found = re.findall(r"^### `([a-z.]+)`\n.*?```json\n(.*?)```", DOC, flags=re.M | re.S)
    return {event_type: json.loads(block) for event_type, block in found}


def code_block(language: str) -> str:
    [block] = re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.S)
    return block


def real_payloads(receiver) -> dict[str, dict]:
    """One payload of each type, made by really doing each change."""
    endpoint = Endpoint.objects.create(url=receiver.url)
    Event.objects.all().delete()
    ims = ServicePage.objects.get(slug="ims")
    ims.save_revision().publish()
    ims.unpublish()
    ims.save_revision().publish()
    section = ServiceIndexPage.objects.get()
    section.slug = "treatments"
    section.save_revision().publish()
    Redirect.objects.create(old_path="/old-ims", redirect_page=ims)
    ServicePage.objects.get(slug="ims").delete()
    run = AuditRun.objects.create(target_url="https://www.example.com/", status="succeeded")
    events.record(events.Change(events.AUDIT_COMPLETED, object_id=run.pk))
    send_ping(endpoint)
    payloads: dict[str, dict] = {}
    for event in Event.objects.order_by("pk"):
        payloads.setdefault(event.type, json.loads(event.body))
    return payloads


def shape(value):
    """The keys of a payload, all the way down (lists by their first item)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


def test_every_event_has_one_valid_example_shaped_like_the_real_one(demo_site, receiver):
    documented = examples()
    assert sorted(documented) == sorted(EVENT_TYPES)
    real = real_payloads(receiver)
    assert sorted(real) == sorted(EVENT_TYPES)
    for event_type, example in documented.items():
        assert example["type"] == event_type
        jsonschema.validate(example, SCHEMA)
        jsonschema.validate(real[event_type], SCHEMA)
        assert shape(example) == shape(real[event_type]), event_type


def test_the_feed_example_is_a_real_feed_item(demo_site):
    [block] = re.findall(r"## The catch-up feed.*?```json\n(.*?)```", DOC, flags=re.S)
    feed = json.loads(block)
    assert set(feed) == {"items", "next_after", "has_more"}
    [item] = feed["items"]
    assert set(item) == {"sequence", "id", "type", "timestamp", "data"}
    jsonschema.validate({key: item[key] for key in ("type", "timestamp", "data")}, SCHEMA)


def signed_delivery(receiver, django_capture_on_commit_callbacks) -> tuple[str, bytes, dict]:
    endpoint = Endpoint.objects.create(url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        send_ping(endpoint)
    [(headers, body)] = receiver.received
    return endpoint.secret, body, headers


def test_the_python_verification_accepts_a_real_delivery_and_refuses_a_changed_one(
    db, receiver, django_capture_on_commit_callbacks
):
    secret, body, headers = signed_delivery(receiver, django_capture_on_commit_callbacks)
    namespace: dict = {}
    exec(code_block("python"), namespace)  # noqa: S102 (the documented snippet, as written)
    assert namespace["verify"](secret, body, headers)["type"] == "ping"
    with pytest.raises(Exception, match="(?i)signature"):
        namespace["verify"](secret, body.replace(b"ping", b"pong"), headers)


def javascript_library() -> bool:
    # Installed with the front end's packages, or found through NODE_PATH.
    return (FRONTEND / "node_modules" / "standardwebhooks").is_dir() or any(
        (Path(folder) / "standardwebhooks").is_dir()
        for folder in os.environ.get("NODE_PATH", "").split(os.pathsep)
        if folder
    )


@pytest.mark.skipif(
    not (shutil.which("node") and javascript_library()),
    reason="needs node and the npm standardwebhooks package (frontend/node_modules or NODE_PATH)",
)
def test_the_javascript_verification_accepts_a_real_delivery(
    db, receiver, django_capture_on_commit_callbacks
):
    secret, body, headers = signed_delivery(receiver, django_capture_on_commit_callbacks)
    lowered = {key.lower(): value for key, value in headers.items()}
    script = code_block("javascript") + (
        "\nconst input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "\nconsole.log(JSON.stringify(verify(input.secret, input.body, input.headers)));"
        "\ntry { verify(input.secret, input.body + ' ', input.headers); console.log('accepted'); }"
        "\ncatch (error) { console.log(error.name); }"
    )
    result = subprocess.run(
        ["node", "-e", script],
        input=json.dumps({"secret": secret, "body": body.decode(), "headers": lowered}),
        capture_output=True,
        text=True,
        timeout=30,
        cwd=FRONTEND if FRONTEND.is_dir() else ROOT,
        check=True,
    )
    verified, changed = result.stdout.splitlines()
    assert json.loads(verified) == json.loads(body)
    assert changed == "WebhookVerificationError"
