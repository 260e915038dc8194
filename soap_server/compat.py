"""Spyne 2.14.0, its newest release, on Python 3.12 and later.

Spyne 2.14.0 came out before Python 3.12 and breaks on it in two places. Both are fixed in
Spyne's repository but no release carries the fixes (arskom/spyne#700):

* Its vendored ``six`` (``spyne.util.six``: six 1.14 plus Spyne's own ``get_function_name``)
  puts an importer for ``spyne.util.six.moves`` on ``sys.meta_path`` that has only
  ``find_module``. Python 3.12 no longer falls back to that method, so ``spyne.util.six.moves``
  cannot be imported and neither can Spyne. six 1.16 added ``find_spec`` to the same importer
  (benjaminp/six#352). :func:`apply` adds the same three methods to Spyne's copy as soon as that
  module has run. Everything else in it stays as Spyne ships it.
* It imports ``cgi`` (for ``cgi.parse_header``), which was removed from the standard library in
  3.13. The ``legacy-cgi`` distribution, a dependency on 3.13 and later, brings it back.

Nothing here edits site-packages or ships a copy of Spyne. :func:`apply` puts one finder at the
front of ``sys.meta_path``, and that finder acts only when ``spyne.util.six`` is imported.
``soap_server/__init__.py`` calls it, so it runs before any module of this package imports
Spyne. Code that imports Spyne without importing ``soap_server`` first has to call it itself.
On Python 3.11 it does nothing.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

VENDORED_SIX = "spyne.util.six"


def needed() -> bool:
    """Whether this interpreter needs the fix (Python 3.12 and later)."""
    return sys.version_info >= (3, 12)


def apply() -> None:
    """Install the finder that fixes ``spyne.util.six`` on import; idempotent, a no-op on 3.11."""
    if not needed() or any(isinstance(f, _VendoredSixFinder) for f in sys.meta_path):
        return
    six = sys.modules.get(VENDORED_SIX)
    if six is not None:  # imported already (it only loads on 3.12+ when the finder is there)
        complete_importer(six)
        return
    sys.meta_path.insert(0, _VendoredSixFinder())


def complete_importer(six: ModuleType) -> None:
    """Give the ``moves`` importer of a vendored six the ``find_spec`` API that 3.12 needs."""
    importer: Any = getattr(six, "_SixMetaPathImporter", None)
    if importer is None or hasattr(importer, "find_spec"):
        return  # not the six we know, or a release that has the fix
    importer.find_spec = _find_spec
    importer.create_module = _create_module
    importer.exec_module = _exec_module


# The three methods, written against six's own importer (``known_modules``, ``load_module``).


def _find_spec(
    self: Any, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
) -> importlib.machinery.ModuleSpec | None:
    if fullname in self.known_modules:
        return importlib.util.spec_from_loader(fullname, self)
    return None


def _create_module(self: Any, spec: importlib.machinery.ModuleSpec) -> ModuleType:
    module: ModuleType = self.load_module(spec.name)
    if module.__name__ != spec.name:
        # A moved standard module (``moves.collections_abc`` is ``collections.abc``): the import
        # system would now overwrite its ``__spec__`` with ours; keep its own to put it back.
        self.__dict__.setdefault("_own_specs", {})[module.__name__] = module.__spec__
    return module


def _exec_module(self: Any, module: ModuleType) -> None:
    own_spec = self.__dict__.get("_own_specs", {}).pop(module.__name__, None)
    if own_spec is not None:
        module.__spec__ = own_spec


class _VendoredSixFinder(importlib.abc.MetaPathFinder):
    """Finds ``spyne.util.six`` as the path finder would, and fixes it once it has run."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != VENDORED_SIX:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _CompletingLoader(spec.loader)
        return spec


class _CompletingLoader(importlib.abc.Loader):
    """Runs the module with its own loader, then completes its importer."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        complete_importer(module)

    def __getattr__(self, name: str) -> Any:
        # get_source, get_filename, ...: tracebacks and linecache ask the module's loader.
        return getattr(self._loader, name)
