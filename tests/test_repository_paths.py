"""The repository is self-contained: no test, doc or source file reaches outside the clone.

A user's clone has nothing beside it, so a path that climbs out of the repository
(a sibling folder's examples, `Path(__file__).parents[3]`) works on a developer's machine and
fails everywhere else. These checks read every tracked text file.
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

from tests.paths import REPO_ROOT

TEXT_SUFFIXES = {".py", ".md", ".toml", ".yaml", ".yml", ".json", ".html", ".js", ".css", ".cfg", ".ini", ".txt", ".sh"}
# A folder outside the repository that earlier sessions read: named as a path component.
OUTSIDE_FOLDER = re.compile(r"""(?:^|[\s/\\"'(`])shared(?=[/\\"'`)])""")
PARENT_STEP = re.compile(r"""(?:^|[\s"'(`=])((?:\.\.[/\\])+[^\s"'`)]*)""")
MARKDOWN_LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")


def tracked_text_files() -> list[Path]:
    """Every file git tracks (or would, for a new untracked file) that holds text."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    paths = [REPO_ROOT / name for name in listed]
    return sorted(p for p in paths if p.is_file() and (p.suffix in TEXT_SUFFIXES or p.parent.name == ".ci"))


def inside_repo(path: Path) -> bool:
    return path.resolve().is_relative_to(REPO_ROOT)


def parent_steps_leaving(text: str, origin: Path) -> list[str]:
    """`../` paths in free text (code, scripts, commands in docs) that resolve outside the repository.

    Such a path may be read from the file's folder or from the clone's root (where
    commands run), so it must stay inside from both.
    """
    steps = (m.group(1) for m in PARENT_STEP.finditer(text))
    return [p for p in steps if not (inside_repo(origin.parent / p) and inside_repo(REPO_ROOT / p))]


def markdown_links_leaving(text: str, origin: Path) -> list[str]:
    links = (m.group(1) for m in MARKDOWN_LINK.finditer(text))
    return [link for link in links if "://" not in link and not link.startswith("mailto:") and not inside_repo(origin.parent / link)]


def file_relative_paths_leaving(source: str, origin: Path) -> list[str]:
    """`Path(__file__).parents[N]` and `.parent` chains that climb above the repository root."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and _is_parents(node.value):
            index = node.slice
            if isinstance(index, ast.Constant) and isinstance(index.value, int):
                target = origin.resolve().parents[min(index.value, len(origin.resolve().parents) - 1)]
                if not inside_repo(target):
                    found.append(ast.unparse(node))
        elif isinstance(node, ast.Attribute) and node.attr == "parent" and _from_file(node):
            depth = _parent_depth(node)
            target = origin.resolve()
            for _ in range(depth):
                target = target.parent
            if not inside_repo(target):
                found.append(ast.unparse(node))
    return found


def _from_file(node: ast.AST) -> bool:
    """Does this expression start from `__file__` (through Path(), .resolve() and the like)?"""
    return any(isinstance(n, ast.Name) and n.id == "__file__" for n in ast.walk(node))


def _is_parents(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "parents" and _from_file(node)


def _parent_depth(node: ast.AST) -> int:
    depth = 0
    while True:
        if isinstance(node, ast.Attribute):
            depth += node.attr == "parent"
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return depth


def problems_in(path: Path, text: str | None = None) -> list[str]:
    """What is wrong with one file of the repository (its text may be given, for the guard's own tests)."""
    if text is None:
        text = path.read_text(encoding="utf-8", errors="replace")
    rel = path.relative_to(REPO_ROOT)
    found = [f"{rel}: names a folder outside the repository: {m.group(0).strip()!r}" for m in OUTSIDE_FOLDER.finditer(text)]
    if path.suffix == ".md":
        found += [f"{rel}: link leaves the repository: {link!r}" for link in markdown_links_leaving(text, path)]
        text = MARKDOWN_LINK.sub("]()", text)  # links are relative to the page only, checked above
    found += [f"{rel}: relative path leaves the repository: {p!r}" for p in parent_steps_leaving(text, path)]
    if path.suffix == ".py":
        found += [f"{rel}: {expr} climbs above the repository root" for expr in file_relative_paths_leaving(text, path)]
    return found


def test_no_tracked_file_reaches_outside_the_repository() -> None:
    # This file spells out the ways out on purpose; the tables below prove it catches them.
    files = [path for path in tracked_text_files() if path.resolve() != Path(__file__).resolve()]
    assert len(files) > 100, "git ls-files found too few files: is this a git checkout?"
    found = [problem for path in files for problem in problems_in(path)]
    assert found == []


# The guard itself must catch each way out, and leave paths inside the clone alone.
# The reference folder beside the developers' checkouts, spelled in pieces so that this file
# itself never names a path out of the clone (the project's own checks read it too).
SIBLING = "sha" + "red"
CAUGHT = [
    ("tests/cli/test_x.py", 'EXAMPLES = Path(__file__).parents[3] / "examples"\n'),
    ("tests/test_x.py", 'EXAMPLES = Path(__file__).resolve().parent.parent.parent / "x"\n'),
    ("tests/test_x.py", f'EXAMPLES = Path(__file__).parents[1] / "{SIBLING}" / "examples"\n'),
    ("docs/x.md", f"See [the examples](../../{SIBLING}/examples/exam.json).\n"),
    ("docs/x.md", f"Run `myotome assess ../{SIBLING}/examples/exam.json`.\n"),
    (".ci/run", 'cp "../outside/exam.json" .\n'),
]
ALLOWED = [
    ("tests/cli/test_x.py", 'EXAMPLES = Path(__file__).parents[2] / "examples"\n'),
    ("tests/test_x.py", 'DATA = Path(__file__).resolve().parent.parent / "bench" / "vignettes.json"\n'),
    ("docs/x.md", "See [deployment](deployment.md) and [the README](../README.md).\n"),
    ("docs/x.md", "Names go under `shared_aliases` in the file.\n"),
]


@pytest.mark.parametrize(("name", "text"), CAUGHT)
def test_the_guard_catches_a_path_out_of_the_repository(name: str, text: str) -> None:
    assert _problems_for(name, text)


@pytest.mark.parametrize(("name", "text"), ALLOWED)
def test_the_guard_allows_paths_inside_the_repository(name: str, text: str) -> None:
    assert _problems_for(name, text) == []


def _problems_for(name: str, text: str) -> list[str]:
    """Check `text` as if it were the file `name` of this repository."""
    return problems_in(REPO_ROOT / name, text)
