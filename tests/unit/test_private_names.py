"""Private names of dependencies are touched only inside the underscore packages.

Code that reaches into a library's private members breaks silently when the
library changes them in a minor release. chatbus does it in three fenced
packages, each module of which says which upstream version and function it
follows: ``services/edge/_transport/`` (python-engineio, python-socketio,
uvicorn, websockets), ``services/runtime/_faststream/`` (FastStream) and
``services/storage/_natspy/`` (nats-py). Everywhere else, this test fails on:

- ``x._name`` where ``x`` is not ``self`` or ``cls`` and the module defines no
  ``_name`` of its own (a class of the same module may use another's);
- ``self._name`` in a class derived from one of those libraries' classes, or a
  method ``_name`` defined there, where ``_name`` is a member in the source of
  the library's classes it derives from;
- imports of a private module (``faststream._internal``) or of a private name
  (``from nats.js.client import _Something``) of those libraries.
"""

import ast
import importlib
import inspect
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FENCES = [
    ROOT / "services" / "edge" / "_transport",
    ROOT / "services" / "runtime" / "_faststream",
    ROOT / "services" / "storage" / "_natspy",
]
LIBRARIES = {"engineio", "socketio", "uvicorn", "websockets", "faststream", "nats"}
CHECKED = ["services", "benchmarks", "chaos"]
# Documented public despite the underscore.
PUBLIC = {"os._exit"}


def checked_files() -> list[Path]:
    """Every Python file of ``CHECKED`` outside the fences."""
    return sorted(
        path
        for folder in CHECKED
        for path in (ROOT / folder).rglob("*.py")
        if not any(path.is_relative_to(fence) for fence in FENCES)
    )


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def is_library(module: str) -> bool:
    return module.split(".")[0] in LIBRARIES


def own_private_names(tree: ast.Module) -> set[str]:
    """The private names a module defines: attributes it assigns on ``self``, class members."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                names.add(node.attr)
        elif isinstance(node, ast.ClassDef):
            for member in node.body:
                if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add(member.name)
                elif isinstance(member, ast.AnnAssign) and isinstance(member.target, ast.Name):
                    names.add(member.target.id)
                elif isinstance(member, ast.Assign):
                    names |= {t.id for t in member.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)  # a module's own private function, called through an alias
    return {name for name in names if is_private(name)}


def imported_names(tree: ast.Module) -> dict[str, str]:
    """Local name -> the dotted name it was imported as, for the libraries' imports."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if is_library(alias.name):
                    names[(alias.asname or alias.name).split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and is_library(node.module):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def resolve(expression: ast.expr, imports: dict[str, str]) -> object | None:
    """The library object a base-class expression names (``engineio.AsyncServer``), if any."""
    parts: list[str] = []
    while isinstance(expression, ast.Attribute):
        parts.insert(0, expression.attr)
        expression = expression.value
    if not isinstance(expression, ast.Name) or expression.id not in imports:
        return None
    dotted = imports[expression.id].split(".") + parts
    for split in range(len(dotted), 0, -1):
        try:
            found: object = importlib.import_module(".".join(dotted[:split]))
        except ImportError:
            continue
        for attribute in dotted[split:]:
            found = getattr(found, attribute)
        return found
    return None


@cache
def library_source_names(base: type) -> frozenset[str]:
    """Every private name in the source of ``base`` and of the library classes it derives from."""
    names: set[str] = set()
    for cls in base.__mro__:
        if not is_library(cls.__module__):
            continue
        try:
            source = inspect.getsource(cls)
        except (OSError, TypeError):
            continue
        # Members: what is reached as an attribute, and methods.
        names |= set(re.findall(r"(?:\.|\bdef\s+)(_[A-Za-z0-9]\w*)", source))
    return frozenset(name for name in names if is_private(name))


def private_uses(source: str, where: str) -> Iterator[str]:
    """Where ``source`` (the file ``where``) touches a private name of a dependency, a line each."""
    tree = ast.parse(source, filename=where)
    own = own_private_names(tree)
    imports = imported_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and is_library(node.module):
            if any(is_private(part) for part in node.module.split(".")):
                yield f"{where}:{node.lineno}: imports from {node.module}"
            for alias in node.names:
                if is_private(alias.name):
                    yield f"{where}:{node.lineno}: imports {node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if is_library(alias.name) and any(is_private(p) for p in alias.name.split(".")):
                    yield f"{where}:{node.lineno}: imports {alias.name}"
        elif isinstance(node, ast.Attribute) and is_private(node.attr):
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue  # checked below, per class
            if node.attr not in own and ast.unparse(node) not in PUBLIC:
                yield f"{where}:{node.lineno}: {ast.unparse(node)}"
        elif isinstance(node, ast.ClassDef):
            bases = [resolve(base, imports) for base in node.bases]
            inherited: set[str] = set()
            for base in bases:
                if isinstance(base, type):
                    inherited |= library_source_names(base)
            for member in node.body:
                if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef):
                    if member.name in inherited:
                        yield f"{where}:{member.lineno}: overrides {node.name}.{member.name}"
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Attribute)
                    and isinstance(inner.value, ast.Name)
                    and inner.value.id in ("self", "cls")
                    and inner.attr in inherited
                ):
                    yield f"{where}:{inner.lineno}: {ast.unparse(inner)} (of {node.name}'s base)"


def test_no_code_outside_the_underscore_packages_touches_a_private_name() -> None:
    found = [
        line
        for path in checked_files()
        for line in private_uses(path.read_text(), str(path.relative_to(ROOT)))
    ]
    assert found == [], "private names of dependencies outside the fences:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        "def f(nc):\n    return nc._pending\n",
        "from faststream._internal.basic_types import AsyncFuncAny\n",
        "from nats.js.client import _JSI\n",
        "import engineio\nclass S(engineio.AsyncServer):\n    def f(self):\n"
        "        return self._trigger_event\n",
        "from engineio import AsyncServer\nclass S(AsyncServer):\n"
        "    async def _service_task(self):\n        pass\n",
    ],
)
def test_each_kind_of_private_use_is_found(source: str) -> None:
    assert list(private_uses(source, "probe.py")), source


def test_a_module_may_use_its_own_private_names() -> None:
    source = (
        "class A:\n    def __init__(self):\n        self._count = 0\n"
        "def read(a):\n    return a._count\n"
    )
    assert list(private_uses(source, "probe.py")) == []
