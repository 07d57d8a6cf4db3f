"""The shape of the service package, enforced: imports point one way, the SAE is a
leaf, nothing in the data path imports the demo, statistics live in contrast/,
modules stay small, and the old import paths still work.

The import graph is built with ``ast`` from every import statement, including the
ones inside functions (those hid a circle ingest.features -> ray_session -> worker
-> features), so a cycle cannot hide behind a lazy import.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "services"
PACKAGE = "prefsight"
MAX_LINES = 400
DEMO_USERS = ("prefsight.cli", "prefsight.apps", "prefsight.demo")
"""Where the demo may be imported from (plus tests, benches and examples)."""


@dataclass(frozen=True)
class Edge:
    source: str  # importing module
    target: str  # imported module (a submodule when ``from pkg import submodule``)
    name: str | None  # the imported name of a ``from`` import
    line: int


def modules(root: Path, package: str) -> dict[str, Path]:
    """Dotted name -> file of every module under ``root/package`` (generated stubs excluded)."""
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        if "_proto" in path.parts:
            continue
        parts = path.relative_to(root).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def import_edges(root: Path, package: str) -> list[Edge]:
    """Every import of ``package`` by a module of it, at any depth of the syntax tree."""
    mods = modules(root, package)
    edges = []
    for name, path in mods.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges += [Edge(name, a.name, None, node.lineno) for a in node.names
                          if a.name.split(".")[0] == package]  # fmt: skip
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(name, is_package, node)
                if base is None or base.split(".")[0] != package:
                    continue
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    edges.append(Edge(name, sub if sub in mods else base, alias.name, node.lineno))
    return edges


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str | None:
    if not node.level:
        return node.module
    parts = module.split(".") if is_package else module.split(".")[:-1]
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def unit(module: str) -> str:
    """The subpackage (or top-level module) a module belongs to: prefsight.ingest.plan -> ingest."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(set(graph) | {w for ws in graph.values() for w in ws}):
        if v not in index:
            visit(v)
    return found


def subpackage_cycles(edges: list[Edge]) -> list[list[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        if unit(e.source) != unit(e.target):
            graph[unit(e.source)].add(unit(e.target))
    return cycles(graph)


def module_cycles(edges: list[Edge]) -> list[list[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        if e.source != e.target:
            graph[e.source].add(e.target)
    return cycles(graph)


def private_imports(edges: list[Edge]) -> list[str]:
    """``from other_module import _name`` (a dunder is fine), as ``source:line``."""
    return [
        f"{e.source}:{e.line} imports {e.name} from {e.target}"
        for e in edges
        if e.name and e.name.startswith("_") and not e.name.startswith("__") and e.source != e.target
    ]


@pytest.fixture(scope="module")
def edges() -> list[Edge]:
    return import_edges(SERVICES, PACKAGE)


# -- the checker itself ---------------------------------------------------------------


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_checker_finds_a_circle_hidden_in_a_function_and_a_private_import(tmp_path):
    _write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a/__init__.py": "",
        "pkg/a/x.py": "def f():\n    from pkg.b.y import g\n    return g\n",
        "pkg/b/__init__.py": "",
        "pkg/b/y.py": "from ..a import x\nfrom pkg.a.x import _hidden\n",
        "pkg/c.py": "import pkg.a.x\n",
    })  # fmt: skip
    found = import_edges(tmp_path, "pkg")
    assert subpackage_cycles(found) == [["a", "b"]]
    assert module_cycles(found) == [["pkg.a.x", "pkg.b.y"]]
    assert private_imports(found) == ["pkg.b.y:2 imports _hidden from pkg.a.x"]


def test_the_checker_passes_a_clean_tree(tmp_path):
    _write(tmp_path, {
        "pkg/__init__.py": "from pkg.a import x\n",
        "pkg/a/__init__.py": "from .x import f\n",
        "pkg/a/x.py": "def f():\n    from pkg.b import y\n    return y\n",
        "pkg/b/__init__.py": "",
        "pkg/b/y.py": "from pkg.b.z import __doc__ as doc\n",
        "pkg/b/z.py": "",
    })  # fmt: skip
    found = import_edges(tmp_path, "pkg")
    assert not subpackage_cycles(found) and not module_cycles(found)
    assert not private_imports(found)


# -- the package ----------------------------------------------------------------------


def test_the_graph_is_built_from_the_real_package(edges):
    assert len(edges) > 300
    assert any(e.source == "prefsight.ingest.features" and e.target == "prefsight.ingest.ray_session"
               for e in edges)  # fmt: skip


def test_no_import_circle_between_subpackages(edges):
    assert subpackage_cycles(edges) == []


def test_no_import_circle_between_modules(edges):
    assert module_cycles(edges) == []


def test_no_module_imports_private_names_of_another(edges):
    assert private_imports(edges) == []


def test_sae_is_a_leaf(edges):
    outside = sorted({f"{e.source} -> {e.target}" for e in edges
                      if unit(e.source) == "sae" and unit(e.target) not in ("sae", "errors")})  # fmt: skip
    assert outside == [], "prefsight.sae imports only itself and prefsight.errors"


def test_no_core_module_imports_the_demo(edges):
    offenders = sorted({f"{e.source}:{e.line}" for e in edges
                        if e.target.startswith(("prefsight.apps", "prefsight.demo"))
                        and not e.source.startswith(DEMO_USERS)})  # fmt: skip
    assert offenders == [], "only the CLI, tests, benches and examples import the demo"


def test_no_statistics_in_the_transport_layer():
    """Effect sizes and z-scores are computed in prefsight.contrast, not in the server."""
    files = [
        *sorted((SERVICES / PACKAGE / "server").rglob("*.py")),
        *sorted((SERVICES / PACKAGE / "session").rglob("*.py")),
    ]
    assert len(files) > 10
    found = [f"{path.name}:{n}" for path in files
             for n, line in enumerate(path.read_text().splitlines(), start=1)
             if any(t in line for t in (".std(", ".var(", "ddof"))]  # fmt: skip
    assert found == []


def test_modules_stay_small():
    too_long = {}
    for name, path in modules(SERVICES, PACKAGE).items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            too_long[name] = lines
    assert too_long == {}, f"split these modules (limit {MAX_LINES} lines): {too_long}"


def test_old_import_paths_reexport_the_moved_objects():
    import prefsight.apps.demo as demo
    import prefsight.concepts.sae as old_sae
    import prefsight.demo as old_demo
    import prefsight.sae as sae

    for name in old_sae.__all__:
        assert getattr(old_sae, name) is getattr(sae, name), name
    for name in old_demo.__all__:
        assert getattr(old_demo, name) is getattr(demo, name), name
