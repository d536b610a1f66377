"""The project's imports go one way: no cycles between its modules, the audit layers import only
downwards, the engine imports no Django, and a project import hidden inside a function says why
in a comment (on its line or the two above). A static scan of the source (AST), no imports run.
"""

from __future__ import annotations

import ast
import graphlib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The Django side of the audit, lowest layer first: a module may import its own layer and the
# layers before it, never one after it. Modules not listed (admin views, commands, hooks) sit
# on top and may import any of these.
AUDIT_LAYERS = (
    (
        "audit.conf",
        "audit.cron",
        "audit.options",
        "audit.pagemap",
        "audit.targets",
        "audit.messages",
    ),
    ("audit.models",),
    ("audit.store", "audit.export"),
    ("audit.services", "audit.draft_check"),
    ("audit.emails",),
    ("audit.tasks",),
    ("audit.signals", "audit.scheduling"),
)


@dataclass(frozen=True)
class Hidden:
    path: str
    line: int


@dataclass
class ImportGraph:
    edges: dict[str, set[str]]  # module -> project modules it imports (anywhere in it)
    hidden: list[Hidden]  # project imports inside functions without a why-comment


def project_packages(root: Path) -> tuple[str, ...]:
    """The Django apps (directories with an apps.py) and the settings package."""
    return tuple(sorted({path.parent.name for path in root.glob("*/apps.py")} | {"cms"}))


def module_files(root: Path) -> dict[str, Path]:
    packages = project_packages(root)
    modules = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[0] not in packages or "migrations" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def _imported_names(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - node.level + 1]
        prefix = ".".join([*base, node.module] if node.module else base)
    else:
        prefix = node.module or ""
    # "from pkg import name" may name a submodule or an attribute: try both.
    return [prefix, *(f"{prefix}.{alias.name}" for alias in node.names)]


def _owning_module(name: str, modules: dict[str, Path]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _has_why_comment(lines: list[str], lineno: int) -> bool:
    return any("#" in line for line in lines[max(0, lineno - 3) : lineno])


def scan(root: Path) -> ImportGraph:
    modules = module_files(root)
    packages = project_packages(root)
    edges: dict[str, set[str]] = {name: set() for name in modules}
    hidden: list[Hidden] = []
    for module, path in modules.items():
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(path))
        lines = source.splitlines()
        is_package = path.name == "__init__.py"
        in_functions = {
            id(node)
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
            for node in ast.walk(function)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            names = _imported_names(module, is_package, node)
            if not any(name.split(".")[0] in packages for name in names):
                continue
            if id(node) in in_functions and not _has_why_comment(lines, node.lineno):
                hidden.append(Hidden(str(path.relative_to(root)), node.lineno))
            for name in names:
                target = _owning_module(name, modules)
                # A package's own submodules are not an edge back to it.
                if target and target != module and not module.startswith(target + "."):
                    edges[module].add(target)
    return ImportGraph(edges, hidden)


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    try:
        graphlib.TopologicalSorter(edges).prepare()
    except graphlib.CycleError as exc:
        return exc.args[1]
    return None


def upward_imports(edges: dict[str, set[str]]) -> list[str]:
    """Imports from an audit layer into a later one, as "importer -> imported" lines."""
    layer_of = {name: n for n, layer in enumerate(AUDIT_LAYERS) for name in layer}
    return sorted(
        f"{module} -> {target}"
        for module, targets in edges.items()
        if module in layer_of
        for target in targets
        if layer_of.get(target, -1) > layer_of[module]
    )


@pytest.fixture(scope="module")
def graph() -> ImportGraph:
    return scan(ROOT)


def test_there_is_no_import_cycle_between_project_modules(graph):
    cycle = find_cycle(graph.edges)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_audit_layers_import_only_downwards(graph):
    assert upward_imports(graph.edges) == []


def test_every_listed_audit_layer_module_exists(graph):
    missing = [name for layer in AUDIT_LAYERS for name in layer if name not in graph.edges]
    assert missing == []


def test_the_audit_engine_imports_no_django_and_no_other_project_code():
    engine = ROOT / "audit" / "engine"
    offenders = []
    for path in engine.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                outside = top in project_packages(ROOT) and not name.startswith("audit.engine")
                if top == "django" or top == "wagtail" or outside:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert offenders == []


def test_project_imports_inside_functions_say_why(graph):
    assert [f"{h.path}:{h.line}" for h in graph.hidden] == []


def test_the_scan_sees_a_cycle_and_a_hidden_import(tmp_path):
    """The checks above are only as good as the scan: it must catch both faults."""
    app = tmp_path / "shop"
    app.mkdir()
    (app / "apps.py").write_text("")
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text("from shop import services\n")
    (app / "services.py").write_text(
        "def total():\n    from shop.models import Order\n    return Order\n\n"
        "def why():\n    # shop.models needs the app registry: imported late on purpose.\n"
        "    from shop import models\n    return models\n"
    )
    found = scan(tmp_path)
    assert find_cycle(found.edges) is not None
    assert found.hidden == [Hidden("shop/services.py", 2)]


def engine_submodule_imports(edges: dict[str, set[str]]) -> list[str]:
    """Imports of an audit.engine submodule from outside the engine (its public API is the
    package, audit/engine/__init__.py)."""
    return sorted(
        f"{module} -> {target}"
        for module, targets in edges.items()
        if not module.startswith("audit.engine")
        for target in targets
        if target.startswith("audit.engine.")
    )


def test_code_outside_the_engine_imports_only_its_public_api(graph):
    assert engine_submodule_imports(graph.edges) == []


def test_the_public_api_check_sees_a_submodule_import():
    edges = {"importer.crawl": {"audit.engine.fetch"}, "audit.engine.crawl": {"audit.engine.fetch"}}
    assert engine_submodule_imports(edges) == ["importer.crawl -> audit.engine.fetch"]
