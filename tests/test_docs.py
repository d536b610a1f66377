"""The docs that describe code follow the code (issue 23 item 8): ``make docs`` writes
docs/checks.md from the check registry and the README's score formula from audit/score.py,
and this test fails while either committed file is stale."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "docs" / "generate.py"


def _generator():
    spec = importlib.util.spec_from_file_location("docs_generate", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_docs_are_what_make_docs_writes() -> None:
    done = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr


def test_every_registered_check_is_listed_with_what_it_needs() -> None:
    generator = _generator()
    text = generator.render_checks()
    for check in generator.REGISTRY.values():
        assert f"| `{check.id}` | {check.severity} |" in text, check.id
    assert "| `heading-order` | warning | static, page |" in text
    assert "axe `heading-order`" in text
    assert "| `browser/tbt-high` | warning | browser |" in text


def test_the_readme_quotes_the_score_formula_from_the_code() -> None:
    generator = _generator()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert generator.score_formula() in readme
    assert "> The audit score, computed the way Lighthouse computes a category score." in readme
    stale = readme.replace("> The audit score", "> An old score formula")
    assert generator.render_readme(stale) == readme
