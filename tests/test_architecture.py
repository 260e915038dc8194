"""The layers of DESIGN.md, checked on every import statement of the packages.

Each rule names a set of modules and what they may not import; every ``import`` and ``from ...
import`` is read with ``ast`` (also those inside functions), so a forbidden import anywhere in
a module fails here with the file and line. The checker is itself tested on a small tree with
one violation of each kind.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("soap_server", "soap_client", "core_runner")


@dataclass(frozen=True)
class Rule:
    """Modules under ``where`` (dotted prefixes) may not import ``forbidden`` (dotted prefixes)."""

    name: str
    where: tuple[str, ...]
    forbidden: tuple[str, ...]
    allowed_in: tuple[str, ...] = ()  # modules exempt from the rule


RULES = (
    Rule(
        "the core is plain Python: no settings, simulation, storage, facades, HTTP, SQL or XML",
        ("soap_server.railway",),
        (
            "soap_server.settings",
            "soap_server.simulation",
            "soap_server.storage",
            "soap_server.wsgi",
            "soap_server.soap",
            "soap_server.rest",
            "soap_server.plainxml",
            "soap_server.delivery",
            "spyne",
            "werkzeug",
            "lxml",
            "jsonschema",
            "sqlite3",
            "psycopg",
            "psycopg_pool",
            "requests",
            "zeep",
        ),
    ),
    Rule(
        "SQL lives only in the storage package",
        ("soap_server",),
        ("sqlite3", "psycopg", "psycopg_pool"),
        allowed_in=("soap_server.storage",),
    ),
    Rule(
        "the facades reach the store only through the core's door",
        ("soap_server.soap", "soap_server.rest", "soap_server.plainxml"),
        ("soap_server.storage",),
    ),
    Rule("the client never imports the server", ("soap_client",), ("soap_server",)),
    Rule("the server never imports the client", ("soap_server",), ("soap_client",)),
    Rule(
        "the neutral runner imports neither side",
        ("core_runner",),
        ("soap_server", "soap_client"),
    ),
)


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    path: Path
    line: int
    target: str  # the imported module, dotted
    names: tuple[str, ...]  # for ``from target import names``


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(root: Path, packages: tuple[str, ...]) -> Iterator[Import]:
    """Every import statement of every module of ``packages`` under ``root``."""
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            module = _module_name(root, path)
            tree = ast.parse(path.read_text("utf-8"), str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        yield Import(module, path, node.lineno, alias.name, ())
                elif isinstance(node, ast.ImportFrom):
                    target = node.module or ""
                    if node.level:  # relative: resolve against the importing package
                        base = module.split(".")
                        is_package = path.name == "__init__.py"
                        base = base[: len(base) - node.level + (1 if is_package else 0)]
                        target = ".".join([*base, target] if target else base)
                    names = tuple(alias.name for alias in node.names)
                    yield Import(module, path, node.lineno, target, names)


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(f"{p}.") for p in prefixes)


def violations(root: Path, packages: tuple[str, ...] = PACKAGES) -> list[str]:
    """One line per import that breaks a rule or takes another module's underscore name."""
    found = []
    for imp in imports(root, packages):
        where = f"{imp.path.relative_to(root)}:{imp.line}"
        for rule in RULES:
            if (
                _under(imp.module, rule.where)
                and not _under(imp.module, rule.allowed_in)
                and _under(imp.target, rule.forbidden)
            ):
                found.append(f"{where}: {imp.module} imports {imp.target} ({rule.name})")
        private = [n for n in imp.names if n.startswith("_") and n != "__version__"]
        if private and imp.target != "__future__" and _under(imp.target, packages):
            found.append(f"{where}: {imp.module} imports {private} from {imp.target}")
    return found


def test_the_packages_keep_their_layers() -> None:
    assert violations(ROOT) == []


def test_the_checker_sees_every_kind_of_violation(tmp_path: Path) -> None:
    files = {
        "soap_server/__init__.py": "",
        "soap_server/railway/__init__.py": "",
        "soap_server/railway/system.py": "from soap_server.settings import Settings\n",
        "soap_server/railway/booking.py": "def f():\n    import sqlite3\n",
        "soap_server/railway/fares.py": "from spyne import Unicode\nimport werkzeug.test\n",
        "soap_server/railway/catalog.py": "from ..storage import sqlite\n",
        "soap_server/railway/agents.py": "from soap_server.railway.pnr import _ZONES\n",
        "soap_server/soap/__init__.py": "from soap_server.storage import SqliteStore\n",
        "soap_server/wsgi.py": "from soap_client.agent import TravelAgent\n",
        "soap_server/storage/__init__.py": "import sqlite3\n",  # allowed here
        "soap_client/__init__.py": "",
        "soap_client/agent.py": "import soap_server.railway\n",
        "core_runner/__init__.py": "from soap_client import WSDL_PATH\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = violations(tmp_path)
    expected = [
        ("soap_server/railway/system.py", "soap_server.settings"),
        ("soap_server/railway/booking.py", "sqlite3"),
        ("soap_server/railway/fares.py", "spyne"),
        ("soap_server/railway/fares.py", "werkzeug.test"),
        ("soap_server/railway/catalog.py", "soap_server.storage"),
        ("soap_server/railway/agents.py", "['_ZONES']"),
        ("soap_server/soap/__init__.py", "soap_server.storage"),
        ("soap_server/wsgi.py", "soap_client.agent"),
        ("soap_client/agent.py", "soap_server.railway"),
        ("core_runner/__init__.py", "soap_client"),
    ]
    for path, what in expected:
        assert any(line.startswith(path) and what in line for line in found), (path, what, found)
    assert not any(line.startswith("soap_server/storage") for line in found)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_is_read(package: str) -> None:
    """The checker walks real modules (a renamed package would otherwise pass silently)."""
    assert any(imp.module.startswith(package) for imp in imports(ROOT, (package,)))
