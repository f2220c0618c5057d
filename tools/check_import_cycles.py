"""Import cycles among a package's modules: build the module import graph from the source with
``ast`` (nothing is imported) and report its strongly connected components.

Usage::

    python tools/check_import_cycles.py [PACKAGE_DIR ...] [--all]

``PACKAGE_DIR`` defaults to ``vsg_pyro`` (the directory of a top-level package; its modules are
named from their paths, ``pkg/a/b.py`` -> ``pkg.a.b``, ``pkg/a/__init__.py`` -> ``pkg.a``).

What counts as an edge ``A -> B`` (``B`` one of the scanned modules):

* ``import B`` and ``from B import name`` in ``A``; ``from P import B`` when ``P.B`` is a
  module; relative imports are resolved against ``A``'s package;
* only imports that run when ``A`` is imported: those at module level, including inside
  module-level ``if``/``try``/``with`` blocks.  **Imports inside functions and methods are
  ignored** (they run later, when the module graph is already loaded, and are the usual way to
  break a cycle on purpose), and so are imports under ``if TYPE_CHECKING:``.  ``--all`` counts
  the function-level imports too, to list the cycles that such lazy imports hide;
* no implicit edge from a module to its parent packages' ``__init__`` (Python runs those first,
  but every submodule would then form a cycle with a package that re-exports it).

Prints every cycle (a strongly connected component of two or more modules, or a module that
imports itself), one per line with one member path through it, and exits 1 if there is any,
0 otherwise.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["module_name", "import_graph", "strongly_connected_components", "cycles", "main"]


def module_name(path: Path, root: Path) -> str:
    """The dotted name of ``path`` inside the package directory ``root`` (its parent is on
    ``sys.path``)."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(body: Iterable[ast.stmt], include_functions: bool) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements of ``body`` that run at import time (module docstring)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if include_functions:
                yield from _imports(node.body, include_functions)
        elif isinstance(node, ast.ClassDef):
            yield from _imports(node.body, include_functions)
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _imports(node.body, include_functions)
            yield from _imports(node.orelse, include_functions)
        elif isinstance(node, ast.Try | ast.TryStar):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _imports(block, include_functions)
            for handler in node.handlers:
                yield from _imports(handler.body, include_functions)
        elif isinstance(node, ast.With | ast.AsyncWith | ast.For | ast.AsyncFor | ast.While):
            yield from _imports(node.body, include_functions)
            yield from _imports(getattr(node, "orelse", []), include_functions)


def import_graph(root: Path, include_functions: bool = False) -> dict[str, set[str]]:
    """``{module: {imported module, ...}}`` over the modules of the package directory ``root``
    (edges only to modules of that package)."""
    files = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _imports(tree.body, include_functions):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)] if node.level > 1 else anchor
                    base = ".".join([*anchor, base] if base else anchor)
                targets = []
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in files else base)
            for target in targets:
                # `import a.b.c` of a non-module attribute path: the longest module prefix
                while target and target not in files:
                    target = target.rpartition(".")[0]
                if target:
                    graph[name].add(target)
    return graph


def strongly_connected_components(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative); every component as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def _path_through(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One cycle through the component's first module (breadth-first, inside the component)."""
    members = set(component)
    start = component[0]
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for child in sorted(graph[node] & members):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if child not in parents:
                    parents[child] = node
                    nxt.append(child)
        frontier = nxt
    return component


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The components that are cycles: two or more modules, or a module importing itself."""
    return [c for c in strongly_connected_components(graph)
            if len(c) > 1 or c[0] in graph[c[0]]]


def main(argv: list[str] | None = None) -> int:
    """Print the cycles of every package directory given; 1 if there are any, else 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", default=["vsg_pyro"], help="package directories")
    parser.add_argument("--all", action="store_true",
                        help="count imports inside functions too (they are ignored by default)")
    args = parser.parse_args(argv)
    total = 0
    for package in args.packages:
        root = Path(package).resolve()
        if not (root / "__init__.py").is_file():
            parser.error(f"{package}: not a package directory (no __init__.py)")
        graph = import_graph(root, include_functions=args.all)
        found = cycles(graph)
        total += len(found)
        for component in found:
            print(f"cycle of {len(component)} modules: {', '.join(component)}")
            print(f"  e.g. {' -> '.join(_path_through(graph, component))}")
        scope = "all imports" if args.all else "module-level imports"
        print(f"{package}: {len(graph)} modules, {len(found)} import cycle(s) ({scope})")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
