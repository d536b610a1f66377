"""Writes the docs that describe code, from the code (``make docs``):

- ``docs/checks.md``: every check of the engine's registry (id, severity, title, fix hint,
  what it needs: the server's HTML or the browser pass, and the axe-core rule that finds
  the same defect), grouped by the module that defines it;
- the score formula in ``README.md``, quoted from ``audit/score.py``'s docstring between
  the ``score-formula`` markers (read with ``ast``: no Django needed).

``--check`` writes nothing and exits 1 when a file is stale (tests/test_docs.py runs it).
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages, not an installed copy

# Imported after the path is set: the browser checks register on import.
import audit.engine.browser.checks  # noqa: E402,F401
from audit.engine import REGISTRY  # noqa: E402
from audit.engine.checks import Check  # noqa: E402

CHECKS_MD = ROOT / "docs" / "checks.md"
README = ROOT / "README.md"
SCORE_SOURCE = ROOT / "audit" / "score.py"
SCORE_START = "<!-- score-formula: generated from audit/score.py by `make docs` -->"
SCORE_END = "<!-- /score-formula -->"

INTRO = """\
# SEO audit checks

Generated from `audit.engine.REGISTRY` by `make docs` (`docs/generate.py`); do not edit by
hand: change the check, then run `make docs` (a test fails while this file is stale). What
each check looks at is explained in `docs/checks-explained.md`.

Every check has a stable id (used in reports, `--fail-on`, `EngineConfig.disabled_checks`), a
severity, a title and a one-line fix hint. **Needs**: *static* checks read the HTML the server
sends: *page* checks run on each fetched page (on 2xx HTML pages unless marked *any
response*; *indexable* ones skip pages set to noindex), *site* checks once after the crawl.
*browser* checks run in the optional browser pass (Chromium + axe-core, light and dark
scheme: `docs/browser-pass.md`). **Same as** names the axe-core rule that finds the same
defect in the rendered page: the two give one finding, naming both sources.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _needs(check: Check) -> str:
    if check.scope == "browser":
        return "browser"
    parts = ["static", check.scope]
    if check.scope == "page" and not check.content_only:
        parts.append("any response")
    if check.indexable_only:
        parts.append("indexable")
    return ", ".join(parts)


def _group(check: Check) -> str:
    module = check.func.__module__
    if check.scope == "browser":
        return "audit.engine.browser.checks"
    return module


def render_checks() -> str:
    groups: dict[str, list[Check]] = {}
    for check in REGISTRY.values():
        groups.setdefault(_group(check), []).append(check)
    out = [INTRO]
    for module, checks in groups.items():
        name = module.rpartition(".")[2].replace("_", " ")
        if module.endswith("browser.checks"):
            name = "browser pass"
        path = module.replace(".", "/") + ".py"
        out.append(f"\n## {name} (`{path}`)\n")
        out.append("| id | severity | needs | title | fix | same as |")
        out.append("| --- | --- | --- | --- | --- | --- |")
        for check in checks:
            same = f"axe `{check.axe_rule}`" if check.axe_rule else ""
            out.append(
                f"| `{check.id}` | {check.severity} | {_needs(check)} | {_cell(check.title)} "
                f"| {_cell(check.fix)} | {same} |"
            )
    return "\n".join(out) + "\n"


def score_formula() -> str:
    docstring = ast.get_docstring(ast.parse(SCORE_SOURCE.read_text(encoding="utf-8"))) or ""
    quoted = "\n".join(f"> {line}".rstrip() for line in docstring.splitlines())
    return f"{SCORE_START}\n{quoted}\n{SCORE_END}"


def render_readme(current: str) -> str:
    start, end = current.find(SCORE_START), current.find(SCORE_END)
    if start < 0 or end < start:
        raise SystemExit(f"README.md has no {SCORE_START!r} ... {SCORE_END!r} section")
    return current[:start] + score_formula() + current[end + len(SCORE_END) :]


def outputs() -> dict[Path, str]:
    return {
        CHECKS_MD: render_checks(),
        README: render_readme(README.read_text(encoding="utf-8")),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is stale")
    args = parser.parse_args(argv)
    stale = []
    for path, text in outputs().items():
        if path.read_text(encoding="utf-8") != text:
            stale.append(path.relative_to(ROOT))
            if not args.check:
                path.write_text(text, encoding="utf-8")
    if args.check and stale:
        print(f"stale: {', '.join(map(str, stale))}: run `make docs`", file=sys.stderr)
        return 1
    for path in stale:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
