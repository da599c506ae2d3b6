"""Layers that cannot rot: the import contracts, private names, import cycles, what ships.

The contracts live in pyproject.toml ``[tool.importlinter]`` (ARCHITECTURE "Target layout"); the
other checks read the source with ``ast``, so imports inside functions count everywhere.
"""

import ast
import shutil
import subprocess
import sys
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest brings tomli
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("scribe", "models", "ui")  # the shipped packages the checks below read
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


# --- the project's modules, read once --------------------------------------------------------

def _project_modules() -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is a package face); a package is named without ``__init__``."""
    mods = {}
    for top in PROJECT:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            is_pkg = parts[-1] == "__init__"
            mods[".".join(parts[:-1] if is_pkg else parts)] = (path, is_pkg)
    return mods


MODULES = _project_modules()
TREES = {name: ast.parse(path.read_text(encoding="utf-8"), str(path))
         for name, (path, _) in MODULES.items()}


def _absolute(module: str, node: ast.ImportFrom) -> str:
    """The absolute module a ``from ... import`` statement in ``module`` names."""
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    if not MODULES[module][1]:  # a plain module's relative imports start from its package
        parts = parts[:-1]
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def _owner(name: str) -> str | None:
    """The project module a dotted name lives in (the longest prefix that is one), or None."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _rel(module: str) -> str:
    return str(MODULES[module][0].relative_to(ROOT))


# --- the contracts ---------------------------------------------------------------------------

def test_core_does_not_import_qt_at_run_time():
    """The contracts read the source; this imports the core for real in a fresh interpreter."""
    modules = ["scribe.cli", "scribe.store.store", "scribe.visit.pipeline",
               "scribe.speech.transcriber", "scribe.drafting", "scribe.export.text", "models.store"]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'ui', 'bench')))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, f"the core pulled in Qt, ui or bench: {result.stdout}{result.stderr}"


def test_import_contracts_hold():
    """``lint-imports`` (the venv's) keeps every contract in pyproject ``[tool.importlinter]``."""
    exe = Path(sys.executable).parent / "lint-imports"
    if not exe.exists():
        found = shutil.which("lint-imports")
        assert found, "import-linter is not installed: pip install -e '.[dev]'"
        exe = Path(found)
    result = subprocess.run([str(exe), "--no-cache"], capture_output=True, text=True, cwd=ROOT,
                            timeout=120)
    report = result.stdout[result.stdout.find("Contracts"):] if "Contracts" in result.stdout else result.stdout
    assert result.returncode == 0, f"import contracts broken:\n{report}{result.stderr}"


def test_contracts_name_every_scribe_package():
    """A new package under scribe/ cannot slip past the models and foundation contracts."""
    contracts = PYPROJECT["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers" and c.get("containers") == ["scribe"])
    foundation = {"scribe." + t.strip() for t in layers["layers"][-1].split(":")}
    children = {m for m in MODULES if m.count(".") == 1 and m.startswith("scribe.")}
    assert foundation <= children, f"the foundation layer names missing modules: {foundation - children}"

    by_models = next(c for c in contracts if c["type"] == "forbidden" and c["source_modules"] == ["models"])
    assert set(by_models["forbidden_modules"]) == children - foundation, (
        "the 'models uses only the foundation' contract must forbid every other scribe child: "
        f"missing {sorted(children - foundation - set(by_models['forbidden_modules']))}, "
        f"stale {sorted(set(by_models['forbidden_modules']) - (children - foundation))}"
    )
    on_models = next(c for c in contracts if c["type"] == "forbidden" and c["forbidden_modules"] == ["models"])
    assert set(on_models["source_modules"]) == foundation, "the foundation contract lists other modules than the layer"


# --- private names ---------------------------------------------------------------------------

def _private_uses(module: str, tree: ast.Module) -> list[str]:
    """``from x import _y`` and ``mod._y`` where x/mod is another project module."""
    found = []
    bound: dict[str, str] = {}  # local name -> the project module (or package) it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    bound[a.asname] = a.name
                else:
                    bound[a.name.partition(".")[0]] = a.name.partition(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node)
            if _owner(base) is None and base.partition(".")[0] not in PROJECT:
                continue
            for a in node.names:
                full = f"{base}.{a.name}"
                if full in MODULES:  # a submodule (a private one is the private_modules contract's)
                    bound[a.asname or a.name] = full
                elif _private(a.name) and base != module:
                    found.append(f"{_rel(module)}:{node.lineno} from {base} import {a.name}")

    def dotted(node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return bound.get(node.id)
        if isinstance(node, ast.Attribute):
            head = dotted(node.value)
            return f"{head}.{node.attr}" if head else None
        return None

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            target = dotted(node.value)
            if target and target in MODULES and target != module:
                found.append(f"{_rel(module)}:{node.lineno} uses {target}.{node.attr}")
    return found


def test_private_name_finder():
    tree = ast.parse(
        "from scribe.speakers import labels as sp\n"
        "import scribe.store.store\n"
        "from scribe.domain import _hidden, Segment\n"
        "def f():\n"
        "    return sp._helper, scribe.store.store._SQL, sp.__doc__, sp.public, Segment._field\n"
    )
    found = _private_uses("ui.app", tree)
    assert [f.split(" ", 1)[1] for f in found] == [
        "from scribe.domain import _hidden",
        "uses scribe.speakers.labels._helper",
        "uses scribe.store.store._SQL",
    ]


def test_no_private_name_used_outside_its_module():
    found = [use for name, tree in TREES.items() for use in _private_uses(name, tree)]
    assert not found, "underscored names used outside their module:\n" + "\n".join(sorted(found))


# --- import cycles ---------------------------------------------------------------------------

def _import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports anywhere in its body (functions included).

    ``from pkg import name`` points at pkg.name when that is a module, else at the package face
    (``__init__``): a face that re-exports its modules is no cycle, a module that takes a name
    back from its own package's face is.
    """
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module in graph:
        for node in ast.walk(TREES[module]):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(module, node)
                targets = [f"{base}.{a.name}" for a in node.names]
            else:
                continue
            for t in targets:
                owner = _owner(t)
                if owner and owner != module:
                    graph[module].add(owner)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return sorted(out)


def test_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycles_between_project_modules():
    cycles = _cycles(_import_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


# --- what ships ------------------------------------------------------------------------------

def _shipped(package: str) -> bool:
    """Whether pyproject's ``[tool.setuptools.packages.find]`` picks up this package."""
    find = PYPROJECT["tool"]["setuptools"]["packages"]["find"]
    include = find.get("include", ["*"])
    exclude = find.get("exclude", [])
    return any(fnmatchcase(package, p) for p in include) and not any(
        fnmatchcase(package, p) for p in exclude)


def test_bench_is_not_shipped():
    """bench/ is repository only (``python -m bench NAME``): the wheel must not carry it."""
    names = ["bench"] + sorted(".".join(p.relative_to(ROOT).parts) for p in (ROOT / "bench").rglob("*")
                               if p.is_dir() and "__pycache__" not in p.parts)
    shipped = [n for n in names if _shipped(n)]
    assert not shipped, f"pyproject [tool.setuptools.packages.find] ships {shipped}"


@pytest.mark.parametrize("package", ["scribe", "scribe.drafting.offline", "models", "ui"])
def test_the_app_is_shipped(package):
    assert _shipped(package), f"pyproject [tool.setuptools.packages.find] leaves out {package}"
