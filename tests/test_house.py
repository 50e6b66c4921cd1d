"""Habits of the code base, checked on the files themselves: a test module imports no
other test module, no two modules of ``nnbp`` (or of ``cli``) share a file name, no
public name is defined at the top level of two modules of ``nnbp``, and nothing points
to pages that are not in the repository."""

from __future__ import annotations

import ast
import os
import re
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
PACKAGES = ("nnbp", "cli")

# pages this repository does not have: whatever names them points nowhere
OUTSIDE = re.compile(r"\bSPEC\b|\bNOTATION\b|\.\./shared\b")
SKIPPED = {".git", ".venv", "venv", "build", "dist", "__pycache__", ".pytest_cache",
           ".hypothesis"}


def imported_modules(tree: ast.AST) -> set[str]:
    """Each part of the dotted name of every module that an ``import`` anywhere in the
    tree names: ``from tests.test_x import y`` gives tests and test_x."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(part for alias in node.names for part in alias.name.split("."))
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.update(node.module.split("."))
    return names


def imports_of_test_modules(tests: Path) -> list[str]:
    """Each import of a test module (test_*.py) by any module under ``tests``."""
    files = sorted(tests.rglob("*.py"))
    test_modules = {p.stem for p in files if p.stem.startswith("test_")}
    return [f"{p.relative_to(tests)} imports {name}" for p in files
            for name in sorted(imported_modules(ast.parse(p.read_text(encoding="utf-8"))))
            if name in test_modules]


def shared_file_names(package: Path) -> dict[str, list[str]]:
    """File names (``__init__.py`` aside) held by more than one module of the package."""
    where = defaultdict(list)
    for p in sorted(package.rglob("*.py")):
        if p.name != "__init__.py":
            where[p.name].append(str(p.relative_to(package.parent)))
    return {name: paths for name, paths in sorted(where.items()) if len(paths) > 1}


def top_level_names(body: list[ast.stmt]):
    """The names a module's own statements define: functions, classes, assigned names,
    also inside a top-level ``if`` or ``try``."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                yield from (n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.If):
            yield from top_level_names(node.body)
            yield from top_level_names(node.orelse)
        elif isinstance(node, ast.Try):
            for part in (node.body, *(h.body for h in node.handlers), node.orelse,
                         node.finalbody):
                yield from top_level_names(part)


def names_defined_twice(package: Path) -> dict[str, list[str]]:
    """Public top-level names (no leading underscore) defined in more than one module."""
    where = defaultdict(list)
    for p in sorted(package.rglob("*.py")):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for name in sorted(set(top_level_names(tree.body))):
            if not name.startswith("_"):
                where[name].append(str(p.relative_to(package.parent)))
    return {name: paths for name, paths in sorted(where.items()) if len(paths) > 1}


def pointers_outside(root: Path) -> list[str]:
    """``file:line`` of each text line in the repository that names one of the pages
    it does not have."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED)
        for name in sorted(files):
            p = Path(folder, name)
            try:
                text = p.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue  # an image or another binary file
            found += [f"{p.relative_to(root)}:{n}" for n, line in
                      enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]
    return found


def test_no_test_module_imports_another():
    """Shared code lives in conftest.py or tests/helpers/."""
    found = imports_of_test_modules(TESTS)
    assert not found, "; ".join(found)


@pytest.mark.parametrize("package", PACKAGES)
def test_no_two_modules_of_a_package_share_a_file_name(package):
    found = shared_file_names(REPO / package)
    assert not found, "; ".join(f"{name}: {', '.join(paths)}" for name, paths in found.items())


def test_no_public_name_is_defined_in_two_modules_of_nnbp():
    found = names_defined_twice(REPO / "nnbp")
    assert not found, "; ".join(f"{name}: {', '.join(paths)}" for name, paths in found.items())


def test_nothing_points_to_pages_outside_the_repository():
    found = pointers_outside(REPO)
    assert not found, "; ".join(found)
