"""The installed packages are the ones pyproject.toml declares, in the versions it allows.

chatbus reaches into the internals of a few dependencies, each bounded to the
minor version those overrides follow: a version outside the bounds fails here,
by name, instead of somewhere deep in an override. Every requirement of
``[project] dependencies`` and of the ``test`` extra must be installed in range
(the tests need both); the other extras are checked where they are installed.
"""

import ast
import sys
import tomllib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
FIRST_PARTY = frozenset({"services", "tests", "benchmarks", "chaos"})
REQUIRED_EXTRAS = ("test",)


def project_table() -> dict:
    """``[project]`` of pyproject.toml."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def declared_requirements(extras: Iterable[str]) -> list[Requirement]:
    """The requirements of ``[project] dependencies`` and of the given extras."""
    project = project_table()
    lines = list(project["dependencies"])
    for extra in extras:
        lines.extend(project["optional-dependencies"][extra])
    return [Requirement(line) for line in lines]


def outside_bounds(requirements: Iterable[Requirement], *, missing_ok: bool = False) -> list[str]:
    """One line for each requirement whose installed version it does not allow."""
    problems = []
    for requirement in requirements:
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        try:
            version = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            if not missing_ok:
                problems.append(f"{requirement.name}: not installed ({requirement})")
            continue
        if not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement.name} {version} is installed; pyproject: {requirement}")
    return problems


def imported_top_level_modules() -> set[str]:
    """Every top-level module that services/, tests/, benchmarks/ and chaos/ import."""
    modules = set()
    for package in FIRST_PARTY:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Import):
                    modules.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules.add(node.module.split(".")[0])
    return modules - FIRST_PARTY - set(sys.stdlib_module_names)


def test_every_declared_dependency_is_installed_within_its_bounds() -> None:
    assert outside_bounds(declared_requirements(REQUIRED_EXTRAS)) == []


def test_every_optional_dependency_that_is_installed_is_within_its_bounds() -> None:
    optional = list(project_table()["optional-dependencies"])
    assert outside_bounds(declared_requirements(optional), missing_ok=True) == []


def test_a_version_outside_a_requirement_is_reported() -> None:
    installed = metadata.version("pytest")
    problems = outside_bounds([Requirement(f"pytest!={installed}")])
    assert problems == [f"pytest {installed} is installed; pyproject: pytest!={installed}"]


def test_every_imported_package_is_declared() -> None:
    distributions = metadata.packages_distributions()
    declared = {
        canonicalize_name(requirement.name)
        for requirement in declared_requirements(project_table()["optional-dependencies"])
    }
    undeclared = {
        module: sorted(distributions.get(module, ["(not installed)"]))
        for module in imported_top_level_modules()
        if not declared & {canonicalize_name(name) for name in distributions.get(module, [])}
    }
    assert undeclared == {}
