"""Helpers for the codegen corpus tests: generating every corpus WSDL once, loading the modules,
and calling a generated client on both of its reading paths (lxml and zeep)."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from soap_client.__main__ import main
from soap_client.transports import WsgiTransport
from tests.client.stub import Answer, ContractSchema, Handler, Stub

CORPUS = Path(__file__).resolve().parent / "wsdls" / "corpus"


@dataclass(frozen=True)
class Entry:
    """One corpus WSDL: where it is, the module it generates, the exit code codegen gives."""

    wsdl: str
    module: str
    exit: int = 0
    catalog: str | None = None

    @property
    def path(self) -> Path:
        return CORPUS / self.wsdl

    def arguments(self) -> list[str]:
        extra = ["--catalog", str(CORPUS / self.catalog)] if self.catalog else []
        return [str(self.path), *extra]


@dataclass
class Generated:
    path: Path
    code: int
    stderr: str


def generate_all(entries: list[Entry], folder: Path) -> dict[str, Generated]:
    results = {}
    for entry in entries:
        target = folder / f"{entry.module}.py"
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = main(["codegen", *entry.arguments(), "-o", str(target)], stdout=io.StringIO())
        results[entry.module] = Generated(target, code, err.getvalue())
    return results


def load(path: Path) -> ModuleType:
    name = f"corpus_{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class Service:
    """A generated client class against a validating stub, on both reading paths."""

    def __init__(
        self,
        client_class: Any,
        wsdl: Path,
        handlers: dict[str, Handler],
        catalog: Path | None = None,
        address: str | None = None,
    ) -> None:
        from soap_client.catalog import Catalog

        loaded = Catalog.read(catalog) if catalog else None
        self.stub = Stub(ContractSchema(str(wsdl), loaded), handlers)
        self.clients = [
            client_class(
                str(wsdl),
                address or "http://stub.example.test/soap",
                transport=WsgiTransport(self.stub),
                catalog=catalog,
                fast=fast,
            )
            for fast in (True, False)
        ]

    def both(self, call: Callable[[Any], Any]) -> Any:
        """``call`` on the fast client and the zeep-reading one: equal results, returned."""
        fast, slow = (call(client) for client in self.clients)
        assert fast == slow, f"the fast path read {fast!r}, zeep {slow!r}"
        return fast

    def raises(self, error: type[BaseException], call: Callable[[Any], Any]) -> Any:
        """``call`` raises ``error`` on both paths, with equal typed details; the first."""
        caught = []
        for client in self.clients:
            with pytest.raises(error) as raised:
                call(client)
            caught.append(raised.value)
        fast, slow = caught
        assert getattr(fast, "detail", None) == getattr(slow, "detail", None)
        return fast


def reply(body: str, headers: str = "") -> Callable[..., Answer]:
    """A handler that answers every call with the same body."""
    return lambda call, header: Answer(body, headers)
