"""Issue 24 case 4: docs/openapi.json states every parameter's bounds, and they are the ones
the API enforces. Each documented parameter's schema must carry exactly the bound keywords
the code derives from its limits (``pages.api.validation.documented_bounds``), and each
documented bound is then tried over HTTP: a value at the bound is not refused for its size,
one past it is a 400 whose message names the parameter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings

from pages.api.validation import QUERY_LIMITS, documented_bounds
from tests.api.conftest import API
from tests.api.test_hostile_queries import ids, preview_on, real_path  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
# The webhook event feed checks its own two parameters (webhooks/feed.py, tested in
# tests/webhooks); the bounds here are those of pages.api.validation.
OWN_BOUNDS = ("/api/v2/events/",)
BOUND_KEYWORDS = ("type", "minimum", "maximum", "maxLength", "enum", "anyOf", "const")


def documented_parameters() -> list[tuple[str, dict]]:
    """(path template, parameter) for every parameter of every documented GET."""
    spec = json.loads(OPENAPI.read_text())
    shared = spec["components"]["parameters"]
    found = []
    for path, operations in spec["paths"].items():
        if path.startswith(OWN_BOUNDS):
            continue
        for parameter in operations.get("get", {}).get("parameters", []):
            if "$ref" in parameter:
                parameter = shared[parameter["$ref"].rsplit("/", 1)[1]]
            found.append((path, parameter))
    return found


PARAMETERS = documented_parameters()


def stated(schema: dict) -> dict:
    return {k: v for k, v in schema.items() if k in BOUND_KEYWORDS or k.startswith("x-")}


def test_every_documented_parameter_states_the_bounds_the_code_enforces():
    wrong = []
    for path, parameter in PARAMETERS:
        expected = documented_bounds(parameter["name"], settings.WAGTAILAPI_LIMIT_MAX)
        schema = parameter["schema"]
        if "enum" in schema and "enum" not in expected:
            expected = {**expected, "enum": schema["enum"]}  # a closed list is its own bound
        if stated(schema) != expected:
            wrong.append((path, parameter["name"], stated(schema), expected))
    assert not wrong, wrong


def test_the_query_limits_are_documented_as_enforced():
    assert json.loads(OPENAPI.read_text())["info"]["x-query-limits"] == QUERY_LIMITS


def _tries(schema: dict) -> list[tuple[str, str]]:
    """(value at the bound, value past it) for each bound the schema states."""
    tries = []
    if "maxLength" in schema:
        n = schema["maxLength"]
        tries.append(("a" * n, "a" * (n + 1)))
    if "maximum" in schema or "anyOf" in schema:
        number = schema if "maximum" in schema else schema["anyOf"][0]
        tries.append((str(number["maximum"]), str(number["maximum"] + 1)))
    if "x-maxWords" in schema:
        n = schema["x-maxWords"]
        tries.append((" ".join(["neck"] * n), " ".join(["neck"] * (n + 1))))
    if "x-maxDepth" in schema:
        n = schema["x-maxDepth"]
        tries.append(("title(" * n + "id" + ")" * n, "title(" * (n + 1) + "id" + ")" * (n + 1)))
    return tries


@pytest.mark.parametrize(
    ("template", "parameter"), PARAMETERS, ids=[f"{t} {p['name']}" for t, p in PARAMETERS]
)
def test_each_documented_bound_holds_over_http(client, ids, template, parameter):  # noqa: F811
    name = parameter["name"]
    tries = _tries(parameter["schema"])
    assert tries or "enum" in parameter["schema"], f"{name} documents no bound"
    for at_bound, past in tries:
        if parameter["in"] == "path":
            # The path's id: a larger id than any stored is not found (never a 5xx).
            path = template.replace("{id}", past)
            assert client.get(path).status_code == 404
            continue
        path = real_path(template, ids)
        answer = client.get(path, {name: at_bound})
        assert answer.status_code < 500
        if answer.status_code == 400:
            message = answer.json()["message"]
            assert "too long" not in message and "too many" not in message, (name, message)
            assert "too large" not in message and "too deep" not in message, (name, message)
        refused = client.get(path, {name: past})
        assert refused.status_code == 400, (name, past[:40], refused.status_code)
        assert name in refused.json()["message"], (name, refused.json())


def test_the_query_as_a_whole_holds_the_documented_limits(client, demo_site):
    limits = QUERY_LIMITS
    assert client.get(f"{API}/pages/", {f"p{n}": "1" for n in range(limits["maxParameters"])})
    too_many = client.get(
        f"{API}/pages/", {f"p{n}": "1" for n in range(limits["maxParameters"] + 1)}
    )
    assert too_many.status_code == 400 and "query parameters" in too_many.json()["message"]
    repeated = "&".join(["slug=a"] * (limits["maxRepeats"] + 1))
    assert client.get(f"{API}/pages/?{repeated}").status_code == 400
    long_name = client.get(f"{API}/pages/", {"x" * (limits["maxNameLength"] + 1): "1"})
    assert long_name.status_code == 400
