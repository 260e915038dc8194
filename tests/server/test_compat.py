"""Spyne 2.14.0 on every supported Python: the import fix, and a WSDL that does not depend on it."""

from __future__ import annotations

import collections.abc
import subprocess
import sys
from types import SimpleNamespace

from soap_server import compat
from soap_server.soap.app import plain_documentation


def python(code: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter, the one running the tests."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


def test_spyne_imports_once_soap_server_is_imported() -> None:
    done = python(
        "import soap_server, spyne.server.wsgi, spyne.protocol.soap\n"
        "from spyne.util.six.moves.urllib.parse import quote\n"
        "print(quote('a b'))"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "a%20b"


def test_without_the_fix_spyne_imports_only_on_3_11() -> None:
    done = python("import spyne.server.wsgi")
    if compat.needed():
        assert done.returncode != 0
        assert "No module named 'spyne.util.six.moves'" in done.stderr
    else:
        assert done.returncode == 0, done.stderr


def test_the_finder_is_installed_once_and_only_where_needed() -> None:
    compat.apply()
    compat.apply()
    finders = [f for f in sys.meta_path if type(f).__name__ == "_VendoredSixFinder"]
    assert len(finders) == (1 if compat.needed() else 0)


def test_spynes_own_six_keeps_its_additions() -> None:
    from spyne.util import six

    assert six.get_function_name(test_spynes_own_six_keeps_its_additions) == (
        "test_spynes_own_six_keeps_its_additions"
    )
    assert six.moves.urllib.parse.unquote("a%20b") == "a b"


def test_a_moved_standard_module_keeps_its_own_spec() -> None:
    # Spyne imports spyne.util.six.moves.collections_abc, which is collections.abc itself.
    moved = sys.modules["spyne.util.six.moves.collections_abc"]
    assert moved is collections.abc
    assert collections.abc.__spec__ is not None
    assert not collections.abc.__spec__.name.startswith("spyne")


def test_documentation_is_the_same_whatever_the_compiler_did_to_the_docstring() -> None:
    # 3.11 and 3.12 keep a method docstring's indentation; 3.13 strips it when compiling.
    kept = "Book up to 6 passengers.\n        Seats go CNF, then RAC.\n\n        Then WL.\n        "
    stripped = "Book up to 6 passengers.\nSeats go CNF, then RAC.\n\nThen WL.\n"
    services = [
        SimpleNamespace(public_methods={"Book": SimpleNamespace(doc=d)}) for d in (kept, stripped)
    ]
    for service in services:
        plain_documentation(service)
        plain_documentation(service)  # the descriptors are shared: a second pass changes nothing
    docs = [service.public_methods["Book"].doc for service in services]
    assert docs[0] == docs[1] == "Book up to 6 passengers.\nSeats go CNF, then RAC.\n\nThen WL."
