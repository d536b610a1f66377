"""One exception tree: every exception class the project defines outside the audit engine (a
library with its own tree, ``audit.engine.AuditError``) descends from ``cms.errors.ClinicError``,
so a caller can tell the project's refusals from bugs, and bad input is a 4xx everywhere."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

from django.core.exceptions import BadRequest

from cms.errors import ClinicError, Conflict, InvalidInput

ROOT = Path(__file__).resolve().parents[2]
APPS = ("audit", "cms", "importer", "pages", "pageviews", "users", "webhooks")


def _project_modules() -> list[str]:
    names = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts or parts[:2] in (("audit", "engine"), ("importer", "convert")):
                continue  # Django-free layers (importer/convert is tested to need no Django)
            if parts[:2] == ("cms", "settings") or parts[-1] == "__main__":
                continue  # settings modules run code on import; ``python -m audit`` is the CLI
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_every_project_exception_is_in_the_tree():
    outside = []
    for name in _project_modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != name or not issubclass(cls, BaseException):
                continue
            if not issubclass(cls, ClinicError):
                outside.append(f"{name}.{cls.__qualname__}")
    assert len(_project_modules()) > 100
    assert outside == []


def test_bad_input_is_a_bad_request_and_a_value_error():
    assert issubclass(InvalidInput, BadRequest) and issubclass(InvalidInput, ValueError)
    assert not issubclass(Conflict, BadRequest)
