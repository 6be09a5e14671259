"""The services import no cycle and nothing outside the wheel.

The graph is built from the source: every ``import`` in services/, including
those inside functions (an import deferred to run time is still a dependency),
but not those under ``if TYPE_CHECKING:``, which never run and are how a module
names a type of a module that imports it. An edge runs from a module to each
module it imports; ``from package import name`` counts as importing
``package.name`` when that is a module, else ``package``.
"""

import ast
import fnmatch
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE_THE_WHEEL = ("benchmarks", "chaos", "tests")

Graph = dict[str, set[str]]


def module_names(root: Path) -> dict[str, Path]:
    """Every module under ``root`` (a package is its ``__init__``) by dotted name."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``tree``, leaving out the bodies of ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            for other in node.orelse:
                yield other
                yield from _runtime_nodes(other)
            continue
        yield node
        yield from _runtime_nodes(node)


def _nearest_module(dotted: str, modules: dict[str, Path]) -> str | None:
    while dotted and dotted not in modules:
        dotted = dotted.rpartition(".")[0]
    return dotted or None


def imported_modules(name: str, modules: dict[str, Path]) -> set[str]:
    """Which of ``modules`` the module ``name`` imports (relative imports resolved)."""
    path = modules[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = []
    for node in _runtime_nodes(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                targets.append(submodule if submodule in modules else module)
    found = {_nearest_module(target, modules) for target in targets}
    return {module for module in found if module is not None and module != name}


def import_graph(modules: dict[str, Path]) -> Graph:
    """Which of ``modules`` each of them imports."""
    return {name: imported_modules(name, modules) for name in modules}


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = lowest[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                lowest[node] = min(lowest[node], lowest[successor])
            elif successor in on_stack:
                lowest[node] = min(lowest[node], index[successor])
        if lowest[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def package_graph(graph: Graph) -> Graph:
    """The graph between the services' top-level packages (``services.edge``, ...)."""

    def package(module: str) -> str:
        return ".".join(module.split(".")[:2])

    packages: Graph = {}
    for module, imported in graph.items():
        edges = packages.setdefault(package(module), set())
        edges.update(package(other) for other in imported if package(other) != package(module))
    return packages


def outside_imports(modules: dict[str, Path], outside: Iterable[str]) -> list[str]:
    """``module -> name`` for each import of a name under one of the ``outside`` packages."""
    tops = set(outside)
    found = []
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported = [node.module]
            else:
                continue
            found.extend(f"{name} -> {i}" for i in imported if i.split(".")[0] in tops)
    return found


def test_no_import_cycle_between_modules_of_services() -> None:
    assert cycles(import_graph(module_names(ROOT / "services"))) == []


def test_no_import_cycle_between_packages_of_services() -> None:
    assert cycles(package_graph(import_graph(module_names(ROOT / "services")))) == []


def test_services_import_neither_benchmarks_nor_chaos_nor_tests() -> None:
    assert outside_imports(module_names(ROOT / "services"), OUTSIDE_THE_WHEEL) == []


def test_a_cycle_is_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_the_wheel_holds_the_services_only() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = [path.parent.name for path in ROOT.glob("*/__init__.py")]
    packaged = {name for name in packages if any(fnmatch.fnmatch(name, p) for p in include)}
    assert packaged == {"services"}
