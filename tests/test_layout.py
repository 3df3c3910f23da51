"""The library's shape, checked: packages by concern, no import cycle, short modules, and
the layering (the app and the CLI are shells; nothing below them imports them)."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

from facilitator.settings import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "facilitator"
MAX_LINES = 500
MAX_TOP_LEVEL_MODULES = 8


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@cache
def imports() -> dict[str, set[str]]:
    """Every import of every module, at any depth (imports inside functions count too)."""
    out: dict[str, set[str]] = {}
    for name, path in modules().items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.level == 0, f"{name}: relative import"
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    found.add(sub if sub in modules() else node.module)
            elif isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
        out[name] = found - {name}
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle() -> None:
    assert cycles(imports()) == []


def test_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_is_longer_than_500_lines() -> None:
    lengths = {
        name: path.read_text(encoding="utf-8").count("\n") for name, path in modules().items()
    }
    assert {name: n for name, n in lengths.items() if n > MAX_LINES} == {}


def test_few_modules_directly_under_the_package() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


@pytest.mark.parametrize(
    ("library", "owner"),
    [("streamlit", "facilitator.ui"), ("click", "facilitator.cli")],
)
def test_app_and_cli_frameworks_stay_in_their_shells(library: str, owner: str) -> None:
    users = [
        name
        for name, found in imports().items()
        if any(f == library or f.startswith(f"{library}.") for f in found)
    ]
    assert users and all(u.startswith(owner) for u in users), users


@pytest.mark.parametrize("shell", ["facilitator.ui", "facilitator.cli"])
def test_the_library_never_imports_the_shells(shell: str) -> None:
    offenders = [
        name
        for name, found in imports().items()
        if not name.startswith(shell) and any(f.startswith(shell) for f in found)
    ]
    assert offenders == []


def test_draft_context_depends_on_nothing_else_in_drafting() -> None:
    inside = {f for f in imports()["facilitator.drafting.context"] if f.startswith("facilitator.")}
    assert not any(f.startswith("facilitator.drafting") for f in inside), inside
