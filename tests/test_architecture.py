"""The layout guards of ``docs/ARCHITECTURE.md``: allowed import arrows, no cycles, and where
``MPI.COMM_WORLD`` and ``sys.argv`` may be read.

The import graph of every ``ssbx`` module is built with :mod:`ast` from the source files
(top-level and function-level imports alike, so a lazy import cannot hide an arrow). No test here
imports ssbx: they run in milliseconds and need no dolfinx.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIRS = {"ssbx": "solver", "ssbx.meshes": "meshes", "ssbx.physics": "physics",
                "ssbx.benchmarks": "benchmarks"}

# Layers of ``ssbx``: the first component below ``ssbx`` (``ssbx.case.load`` -> ``case``); the
# top package itself (``import ssbx``: version, dolfinx loader) is ``package``.
LAYERS = ("package", "errors", "units", "physics", "meshes", "case", "io", "problems", "setup",
          "runs", "parallel", "cli", "benchmarks")

ALLOWED: dict[str, set[str]] = {
    # what each layer may import (besides itself); the top package may be imported by all
    "errors": set(),
    "units": set(),
    "physics": set(),
    "meshes": set(),
    "case": {"errors", "units", "physics", "meshes", "io"},
    "io": {"errors", "units"},
    "problems": {"errors", "units", "physics", "meshes", "io"},
    "setup": {"errors", "units", "physics", "meshes", "case", "problems"},
    "runs": {"errors", "units", "physics", "meshes", "case", "io", "problems", "setup"},
    "parallel": {"errors", "units", "physics", "meshes", "case", "io", "runs"},
    "cli": set(LAYERS) - {"cli"},
    "benchmarks": set(LAYERS) - {"cli", "benchmarks"},
    "package": {"parallel"},  # ssbx/__init__ configures the JIT cache (ssbx.parallel.jit_cache)
}

# The only modules that may read MPI.COMM_WORLD or sys.argv: the command lines (the peer scripts
# of the peer_comparison benchmark are programs of their own, run as processes).
ENTRY_POINTS = {"ssbx.cli.commands", "ssbx.benchmarks.entry",
                "ssbx.benchmarks.performance.peers.dolfinx_void"}


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    imports: set[str] = field(default_factory=set)


def _module_name(package: str, base: Path, path: Path) -> str:
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([package, *parts])


def _resolve(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.name if module.path.name == "__init__.py" else module.name.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _targets(module: Module, known: set[str]) -> Iterable[str]:
    """The ssbx modules an import statement names (``from ssbx.x import y`` names ssbx.x.y
    when that is a module, else ssbx.x)."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] == "ssbx")
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, node)
            if base.split(".")[0] != "ssbx":
                continue
            subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known]
            yield from subs or [base]


def load_graph(root: Path = ROOT, extra: dict[str, str] | None = None) -> dict[str, Module]:
    """Every ssbx module with the ssbx modules it imports (``extra``: name -> source of
    additional modules, for the self-test of the guards)."""
    modules: dict[str, Module] = {}
    for package, folder in PACKAGE_DIRS.items():
        base = root / folder
        for path in sorted(base.rglob("*.py")):
            name = _module_name(package, base, path)
            modules[name] = Module(name, path, ast.parse(path.read_text(encoding="utf-8")))
    for name, source in (extra or {}).items():
        modules[name] = Module(name, Path(name.replace(".", "/") + ".py"), ast.parse(source))
    known = set(modules)
    for module in modules.values():
        for target in _targets(module, known):
            while target not in known and "." in target:
                target = target.rpartition(".")[0]
            if target in known and target != module.name:
                module.imports.add(target)
    return modules


def layer(name: str) -> str:
    """The layer of module ``name`` (see :data:`LAYERS`)."""
    parts = name.split(".")
    return "package" if len(parts) == 1 else parts[1]


def forbidden_arrows(modules: dict[str, Module]) -> list[str]:
    """``a -> b`` for every import that crosses layers against :data:`ALLOWED`."""
    bad = []
    for module in modules.values():
        src = layer(module.name)
        for target in sorted(module.imports):
            dst = layer(target)
            if dst in (src, "package") or dst in ALLOWED[src]:
                continue
            bad.append(f"{module.name} -> {target} ({src} may not import {dst})")
    return bad


def cycles(modules: dict[str, Module]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), i.e. import cycles.
    The top package ``ssbx`` is left out: importing it is how every module loads the dolfinx
    wheel first, and it imports only the JIT configuration, lazily."""
    graph = {n: sorted(m.imports - {"ssbx"}) for n, m in modules.items() if n != "ssbx"}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, []):
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

    for v in graph:
        if v not in index:
            visit(v)
    return found


def global_reads(modules: dict[str, Module]) -> list[str]:
    """``module: COMM_WORLD|sys.argv`` for every read outside :data:`ENTRY_POINTS`."""
    bad = []
    for module in modules.values():
        if module.name in ENTRY_POINTS:
            continue
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Attribute) and node.attr == "COMM_WORLD":
                bad.append(f"{module.name}:{node.lineno}: COMM_WORLD")
            if (isinstance(node, ast.Attribute) and node.attr == "argv"
                    and isinstance(node.value, ast.Name) and node.value.id == "sys"):
                bad.append(f"{module.name}:{node.lineno}: sys.argv")
    return bad


@pytest.fixture(scope="module")
def graph() -> dict[str, Module]:
    return load_graph()


def test_graph_sees_every_layer(graph):
    """The guards look at the real tree: every layer has modules, and a known arrow is seen."""
    assert {layer(n) for n in graph} == set(LAYERS)
    assert "ssbx.case.records" in graph["ssbx.case.load"].imports
    # a function-level import counts as well (the CLI imports the sweep lazily)
    assert "ssbx.parallel.sweep" in graph["ssbx.cli.commands"].imports


def test_no_forbidden_imports(graph):
    assert forbidden_arrows(graph) == []


def test_no_import_cycles(graph):
    assert cycles(graph) == []


def test_comm_world_and_argv_only_in_entry_points(graph):
    assert global_reads(graph) == []


@pytest.mark.parametrize("source, expected", [
    # physics reaching into the solver core, the core into the CLI, meshes into physics
    ("ssbx.physics.bad", "from ssbx.problems.current import CurrentSettings\n"),
    ("ssbx.runs.bad", "def f():\n    from ssbx.cli.commands import main\n"),
    ("ssbx.meshes.bad", "import ssbx.physics.contact\n"),
    ("ssbx.problems.bad", "from ssbx.case import Case\n"),
    ("ssbx.case.bad", "from ssbx.benchmarks import framework\n"),
])
def test_guard_catches_forbidden_import(source, expected):
    """The arrow guard fails on a forbidden import (the self-test of the guard)."""
    name, code = source, expected
    bad = forbidden_arrows(load_graph(extra={name: code}))
    assert [b for b in bad if b.startswith(name + " ")], bad


def test_guard_catches_cycle_and_global_reads():
    extra = {
        "ssbx.runs.bad_a": "from ssbx.runs import bad_b\n",
        "ssbx.runs.bad_b": "def f():\n    import ssbx.runs.bad_a\n",
        "ssbx.io.bad_c": "import sys\nfrom mpi4py import MPI\nx = MPI.COMM_WORLD\ny = sys.argv\n",
    }
    graph = load_graph(extra=extra)
    assert ["ssbx.runs.bad_a", "ssbx.runs.bad_b"] in cycles(graph)
    reads = global_reads(graph)
    assert any(r.startswith("ssbx.io.bad_c:3: COMM_WORLD") for r in reads)
    assert any(r.startswith("ssbx.io.bad_c:4: sys.argv") for r in reads)
