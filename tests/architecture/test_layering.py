"""Imports run one way: cli → trainer → lightning → models / io / dataset → config. No cycles.

Every import is read from the AST, including imports inside functions, so a cycle cannot hide there.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "calt"
LAYERS = {  # a module may import its own package and packages of a lower layer
    "calt.cli": 4,
    "calt.trainer": 3,
    "calt.lightning": 2,
    "calt.models": 1,
    "calt.io": 1,
    "calt.dataset": 1,
    "calt.config": 0,
    "calt.lazy": 0,
    "calt.optional": 0,
    "calt.atomic": 0,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Absolute names of the calt modules that ``path`` imports, anywhere in the file."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.update(f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}") else base for alias in node.names)
    return {m for m in found if m == "calt" or m.startswith("calt.")}


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def layer_of(name: str) -> tuple[str, int] | None:
    for package, rank in LAYERS.items():
        if name == package or name.startswith(package + "."):
            return package, rank
    return None


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}
GRAPH = {name: imported_modules(path) for name, path in MODULES.items()}


@pytest.mark.parametrize("name", sorted(n for n in MODULES if layer_of(n)))
def test_no_upward_or_sideways_import(name):
    package, rank = layer_of(name)
    for target in GRAPH[name]:
        target_layer = layer_of(target)
        if target_layer is None:
            continue
        target_package, target_rank = target_layer
        assert target_package == package or target_rank < rank, (
            f"{name} imports {target}: {target_package} (layer {target_rank}) is not below {package} (layer {rank})")


def test_no_import_cycles():
    """Cycles between modules, counting imports inside functions."""
    def edges(name):
        return {t for t in GRAPH[name] if t in GRAPH and t != name}

    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for target in sorted(edges(node)):
            if state.get(target) == 1:
                cycle = stack[stack.index(target):] + [target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)


def test_checker_sees_imports_inside_functions(tmp_path):
    """The AST walk must see a function-level import (the way cycles used to hide)."""
    source = PACKAGE / "trainer" / "utils.py"
    assert "calt.trainer.pipeline" in imported_modules(source)
