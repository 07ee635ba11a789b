"""The shape of the package, checked: data flows one way and packages keep
their private parts private.

* no import cycle among recon's modules (imports inside functions count;
  ``if TYPE_CHECKING:`` imports do not);
* a module never imports another package's private module or name
  (``recon.a._x`` or ``_name`` from outside ``recon.a``);
* every file name of a result folder is written in one place
  (``recon/resultdir.py``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "recon"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _package_of(module: str, is_package: bool) -> str:
    return module if is_package else module.rpartition(".")[0]


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py")) if "__pycache__" not in p.parts}


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _imports(module: str) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every runtime import."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    is_package = path.name == "__init__.py"
    out = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("recon"):
                    out.append((alias.name, [], node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package_of(module, is_package).split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.startswith("recon"):
                out.append((target, [a.name for a in node.names], node.lineno))
    return out


def _resolve(target: str, names: list[str]) -> list[str]:
    """The recon modules an import statement loads (a name may be a submodule)."""
    found = []
    for name in names:
        if f"{target}.{name}" in MODULES:
            found.append(f"{target}.{name}")
    if target in MODULES:
        found.append(target)
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module in MODULES:
        for target, names, _line in _imports(module):
            for dep in _resolve(target, names):
                # a package is initialised before its modules: a module taking a
                # sibling through its package (from recon.sample import _pools)
                # adds no cycle
                if dep != module and not module.startswith(dep + "."):
                    graph[module].add(dep)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def _importing_package(module: str) -> str:
    return _package_of(module, MODULES[module].name == "__init__.py")


def _private_reaches() -> list[str]:
    """Imports of a private module or name of another package."""
    bad = []
    for module in MODULES:
        mine = _importing_package(module)
        for target, names, line in _imports(module):
            parts = target.split(".")
            private_at = next((i for i, p in enumerate(parts) if p.startswith("_")), None)
            if private_at is not None:
                owner = ".".join(parts[:private_at])
                if not (mine == owner or mine.startswith(owner + ".")):
                    bad.append(f"{module}:{line} imports {target}")
                continue
            owner = (
                target
                if MODULES.get(target, Path()).name == "__init__.py"
                else (target.rpartition(".")[0])
            )
            own = mine == owner or mine.startswith(owner + ".")
            for name in names:
                if name.startswith("_") and not name.startswith("__") and not own:
                    bad.append(f"{module}:{line} imports {name} from {target}")
    return bad


def test_the_import_graph_has_no_cycle():
    cycles = _cycles(_graph())
    assert cycles == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_no_module_reaches_into_another_package_s_private_parts():
    bad = _private_reaches()
    assert bad == [], "\n".join(bad)


# every result-folder file name, and where it may be written
_NAMES = re.compile(
    r"[\"'](summary\.json|rows\.csv|matches\.csv|field_only\.csv|system_only\.csv|review\.csv|"
    r"problems\.csv|duplicates\.csv|differences\.csv|visits\.csv|audit\.csv)[\"']"
)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_result_folder_file_names_are_defined_once(module):
    if module == "recon.resultdir" or module.startswith("recon.sample"):
        return
    text = MODULES[module].read_text(encoding="utf-8")
    assert not _NAMES.findall(text), f"{module} names a result file itself: use recon.resultdir"
