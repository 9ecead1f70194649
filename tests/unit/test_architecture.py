"""The layering rules of docs/architecture.md, checked from the source.

- no import cycle among ``artseek`` modules (module-level and function-level imports alike);
- only ``artseek/ui/`` imports Qt (PySide6, shiboken6);
- ``artseek/storage`` and ``artseek/vectors`` never import torch or open_clip;
- no module touches another module's ``_private`` names;
- the core imports, indexes and searches with PySide6 unimportable.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "artseek"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, tuple[Path, ast.Module]]:
    return {_module_name(p): (p, ast.parse(p.read_text(encoding="utf-8"), str(p)))
            for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = _modules()


def _imports(name: str, tree: ast.Module) -> Iterator[tuple[str, ast.stmt]]:
    """Every module an ``import`` anywhere in the file names (absolute, relative resolved), with its node."""
    is_package = MODULES[name][0].name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[:len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield target, node
            for alias in node.names:  # ``from artseek.captions import corpus`` imports a submodule
                if f"{target}.{alias.name}" in MODULES:
                    yield f"{target}.{alias.name}", node


def import_graph() -> dict[str, set[str]]:
    """Module -> the ``artseek`` modules it imports (a package stands for its ``__init__``)."""
    graph: dict[str, set[str]] = {}
    for name, (_, tree) in MODULES.items():
        graph[name] = set()
        for target, _node in _imports(name, tree):
            # ``import artseek.a.b`` runs artseek.a.b; the edge goes to the longest known module named
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith("artseek"):
                graph[name].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_the_import_graph_is_read_from_the_source() -> None:
    graph = import_graph()
    assert "artseek.commands.common" in graph["artseek.cli"]
    assert "artseek.captions.service" in graph["artseek.library"]  # a module-level import
    assert "artseek.embedding.loader" in graph["artseek.library"]  # an import inside a function
    assert "artseek.captions.corpus" in graph["artseek.captions.service"]  # ``from package import module``
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_among_artseek_modules() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


# The layers of docs/architecture.md, lowest first: a module imports only from its own layer or lower ones.
LAYERS = (
    ("artseek", "artseek.errors", "artseek.config", "artseek.files", "artseek.library_lock", "artseek.settings"),
    ("artseek.storage", "artseek.vectors", "artseek.embedding", "artseek.search"),
    ("artseek.ingest", "artseek.captions", "artseek.composed", "artseek.collections", "artseek.userdata",
     "artseek.history", "artseek.duplicates", "artseek.tiles", "artseek.reproductions"),
    ("artseek.library", "artseek.library_care", "artseek.library_folders", "artseek.index_sync",
     "artseek.library_data", "artseek.library_filters", "artseek.library_details", "artseek.library_search"),
    ("artseek.evaluation", "artseek.bench", "artseek.selftest", "artseek.maintenance", "artseek.cluster",
     "artseek.demo", "artseek.map"),
    ("artseek.commands", "artseek.ui"),
    ("artseek.cli",),
)


def _layer(module: str) -> int | None:
    best = None
    for level, names in enumerate(LAYERS):
        for prefix in names:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > best[1]):
                best = (level, len(prefix))
    return None if best is None or (best[1] == len("artseek") and module != "artseek") else best[0]


def test_lower_layers_never_import_higher_ones() -> None:
    offenders = []
    for name, targets in import_graph().items():
        level = _layer(name)
        for target in targets:
            if level is not None and (_layer(target) or 0) > level:
                offenders.append(f"{name} (layer {level}) imports {target} (layer {_layer(target)})")
    assert not offenders, offenders
    assert _layer("artseek.captions.service") == 2 and _layer("artseek.ui.widgets.inspector") == 5
    assert _layer("artseek") == 0 and _layer("artseek.some_new_module") is None  # unknown modules: not judged


def _importers_of(prefixes: tuple[str, ...], where: str) -> list[str]:
    found = []
    for name, (path, tree) in MODULES.items():
        if not name.startswith(where):
            continue
        for target, node in _imports(name, tree):
            if target.split(".")[0] in prefixes:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {target}")
    return found


def test_only_the_ui_imports_qt() -> None:
    offenders = [line for line in _importers_of(("PySide6", "shiboken6", "shiboken2", "PyQt5", "PyQt6"), "artseek")
                 if not line.startswith(str(Path("artseek", "ui")))]
    assert not offenders, offenders


def test_storage_and_vectors_never_import_torch() -> None:
    for package in ("artseek.storage", "artseek.vectors"):
        offenders = _importers_of(("torch", "torchvision", "open_clip"), package)
        assert not offenders, offenders


def _own_private_names(tree: ast.Module) -> set[str]:
    """The ``_names`` a module defines itself: functions, classes, assignments, ``self._x`` attributes."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return {n for n in names if n.startswith("_")}


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_no_module_touches_another_modules_private_names() -> None:
    offenders = []
    for path, tree in MODULES.values():
        own = _own_private_names(tree)
        foreign_modules = set()  # names bound to modules outside artseek (sys._MEIPASS is not ours)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                foreign_modules |= {(a.asname or a.name).split(".")[0] for a in node.names
                                    if not a.name.startswith("artseek")}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level \
                    and not node.module.startswith("artseek"):
                foreign_modules |= {a.asname or a.name for a in node.names}
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("artseek")):
                offenders += [f"{where} imports {a.name}" for a in node.names if _is_private(a.name)]
            elif isinstance(node, ast.Attribute) and _is_private(node.attr) and node.attr not in own:
                owner = node.value
                if isinstance(owner, ast.Name) and (owner.id in ("self", "cls") or owner.id in foreign_modules):
                    continue
                offenders.append(f"{where} uses .{node.attr}")
    assert not offenders, offenders


# Runs in a fresh interpreter where ``import PySide6`` (and shiboken6) fails, as on a server without Qt.
_NO_QT = """
import importlib.abc, json, sys

class NoQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "shiboken6"):
            raise ImportError(f"{name} is unimportable in this test")
        return None

sys.meta_path.insert(0, NoQt())
try:
    import PySide6  # noqa: F401
except ImportError:
    pass
else:
    raise SystemExit("the PySide6 block does not work")

from artseek.library import Library

folder, library = sys.argv[1], sys.argv[2]
with Library(library, model="tiny-test", backend="torch", device="cpu") as lib:
    report = lib.index([folder])
    results = lib.search_text("a red circle", top_k=5)
    import artseek.cli, artseek.commands.common, artseek.selftest  # the CLI builds without Qt too
    artseek.cli.build_parser()
leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6") and sys.modules[m])
print(json.dumps({"indexed": report.indexed, "paths": [r.path for r in results], "leaked": leaked}))
"""


def test_core_imports_and_indexes_without_pyside6(tmp_path: Path) -> None:
    from tests.fixtures.shapes import ShapeSpec, render

    folder = tmp_path / "images"
    folder.mkdir()
    for i, (colour, shape) in enumerate([("red", "circle"), ("blue", "square"), ("green", "triangle"),
                                         ("yellow", "star"), ("red", "circle"), ("purple", "square")]):
        render(ShapeSpec(colour, shape, "plain", "white"), seed=i).save(folder / f"{i:02d}_{colour}_{shape}.png")
    r = subprocess.run([sys.executable, "-c", _NO_QT, str(folder), str(tmp_path / "library")],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["indexed"] == 6 and out["leaked"] == []
    assert len(out["paths"]) == 5 and "red_circle" in Path(out["paths"][0]).name, out["paths"]
