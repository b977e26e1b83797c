"""The layers of the code: what every request needs lies below the domains, and no package
depends on itself round a loop. Read from the source with `ast`, so a lazy import inside a
function counts as much as one at the top of a module."""

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import app

ROOT = Path(app.__file__).parent
ENTRY_POINTS = frozenset({"main", "cli", "worker", "__main__"})  # they assemble every domain
# Below the domains: every module at the top of app (auth, deps, db, errors, …) and these
# packages. Any other package is a domain, which may import these but never the other way.
LOWER_PACKAGES = frozenset(
    {"changes", "history", "http", "i18n", "live", "models", "ops", "outbox", "storage"}
)
# Domains that know nothing of each other, either way: both deliver through the outbox
# (app.outbox); neither reaches into the other.
APART = frozenset({("reminders", "webhooks")})
Graph = dict[str, set[str]]


def _unit(module: str) -> str:
    """The package (or top-level module) of `app.x.y`: `x`."""
    return module.split(".")[1]


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def package_graph() -> Graph:
    """Which package of app imports which other one, entry points left out."""
    graph: Graph = defaultdict(set)
    for path in ROOT.rglob("*.py"):
        source = _unit(".".join(("app", *path.relative_to(ROOT).with_suffix("").parts)))
        if source in ENTRY_POINTS or source == "__init__":
            continue
        for target in _imports(path):
            if target.startswith("app.") and _unit(target) != source:
                graph[source].add(_unit(target))
    return graph


def lower_layers() -> frozenset[str]:
    modules = {path.stem for path in ROOT.glob("*.py")} - ENTRY_POINTS - {"__init__"}
    return frozenset(modules | LOWER_PACKAGES)


def cycles(graph: Graph) -> list[set[str]]:
    """The strongly connected groups of more than one package (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = {stack.pop()}
            while node not in group:
                group.add(stack.pop())
            if len(group) > 1:
                found.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_lower_layers_import_no_domain() -> None:
    graph, lower = package_graph(), lower_layers()
    upward = sorted(
        f"app.{source} -> app.{target}"
        for source, targets in graph.items()
        if source in lower
        for target in targets - lower
    )

    assert upward == []


def test_no_cycle_between_packages() -> None:
    assert cycles(package_graph()) == []


def test_domains_kept_apart_import_neither_way() -> None:
    graph = package_graph()
    crossing = sorted(
        f"app.{source} -> app.{target}"
        for pair in APART
        for source, target in (pair, pair[::-1])
        if target in graph.get(source, set())
    )

    assert crossing == []
