"""Comparing two contracts: services, ports, bindings and operations, then their schemas.

The verdict of each change follows the table in ``soap_client.contract.rules``.
"""

from __future__ import annotations

from pathlib import Path

from soap_client.catalog import Catalog, Loader
from soap_client.contract.model import Binding, Change, Header, Operation, Port
from soap_client.contract.names import Names, WsdlError
from soap_client.contract.reader import Contract, load_contract, namespace_renames
from soap_client.contract.rules import SchemaDiffer


class _Differ(SchemaDiffer):
    """Walks both contracts and collects the changes, classified for an old client."""

    def run(self) -> list[Change]:
        self.services()
        self.bindings()
        self.port_types()
        self.global_elements()
        self.named_types()
        return self.changes

    # services, bindings, operations

    def services(self) -> None:
        old, new = self.old.services, self.new.services
        for name in sorted(old.keys() | new.keys()):
            where = f"service {self.name(name)}"
            if name not in new:
                self.add("service-removed", where, "removed", True)
            elif name not in old:
                self.add("service-added", f"service {self.name(name, old=False)}", "added", False)
            else:
                self.ports(where, old[name], new[name])

    def ports(self, service: str, old: dict[str, Port], new: dict[str, Port]) -> None:
        for name in sorted(old.keys() | new.keys()):
            where = f"{service} / port {name}"
            if name not in new:
                self.add("port-removed", where, f"removed (was at {old[name].address})", True)
                continue
            if name not in old:
                self.add("port-added", where, f"added at {new[name].address}", False)
                continue
            before, after = old[name], new[name]
            if before.binding != after.binding:
                detail = (
                    f"binding {self.name(before.binding)} -> {self.name(after.binding, old=False)}"
                )
                self.add("port-binding-changed", where, detail, True)
            if before.address != after.address:
                detail = f"location {before.address} -> {after.address}"
                self.add("address-changed", where, detail, False)

    def bindings(self) -> None:
        old, new = self.old.bindings, self.new.bindings
        for name in sorted(old.keys() | new.keys()):
            where = f"binding {self.name(name)}"
            if name not in new:
                self.add("binding-removed", where, "removed", True)
            elif name not in old:
                self.add("binding-added", f"binding {self.name(name, old=False)}", "added", False)
            else:
                self.binding(where, old[name], new[name])

    def binding(self, where: str, old: Binding, new: Binding) -> None:
        for kind, attr, before, after in (
            ("binding-port-type-changed", "portType", old.port_type, new.port_type),
            ("binding-protocol-changed", "protocol", old.protocol, new.protocol),
            ("binding-transport-changed", "transport", old.transport, new.transport),
            ("binding-style-changed", "style", old.style or "document", new.style or "document"),
        ):
            if before != after:
                self.add(kind, where, f"{attr} {before or 'none'} -> {after or 'none'}", True)
        old_ops = self.old.port_types.get(old.port_type, {})
        new_ops = self.new.port_types.get(new.port_type, {})
        for name in sorted(old.operations.keys() | new.operations.keys()):
            op_where = f"{where} / operation {name}"
            if name not in new.operations:
                # An operation gone from the port type too is reported once, there.
                if name in new_ops or name not in old_ops:
                    self.add("operation-removed", op_where, "removed from the binding", True)
            elif name not in old.operations:
                if name in old_ops or name not in new_ops:
                    self.add("operation-added", op_where, "added to the binding", False)
            else:
                self.binding_operation(op_where, old, new, name)

    def binding_operation(self, where: str, old_b: Binding, new_b: Binding, name: str) -> None:
        old, new = old_b.operations[name], new_b.operations[name]
        old_default, new_default = old_b.style or "document", new_b.style or "document"
        old_style, new_style = old.style or old_default, new.style or new_default
        explained = old_default != new_default and (old_style, new_style) == (
            old_default,
            new_default,
        )
        if old_style != new_style and not explained:
            self.add("binding-style-changed", where, f"style {old_style} -> {new_style}", True)
        if old.soap_action != new.soap_action:
            detail = f"soapAction {old.soap_action!r} -> {new.soap_action!r}"
            if not old.soap_action:
                detail += " (old clients send an empty one)"
            self.add("soap-action-changed", where, detail, bool(old.soap_action))
        for side, before, after in zip(("input", "output"), old.uses, new.uses, strict=True):
            if before != after:
                self.add("body-use-changed", where, f"{side} use {before} -> {after}", True)
        pairs = zip(("input", "output"), old.namespaces, new.namespaces, strict=True)
        for side, before, after in pairs:
            if self.old.names.ns(before) != after:
                detail = f"{side} namespace {before or 'none'} -> {after or 'none'}"
                self.add("body-namespace-changed", where, detail, True)
        self.headers(where, "input", old.input_headers, new.input_headers)
        self.headers(where, "output", old.output_headers, new.output_headers)

    def headers(
        self, where: str, side: str, old: tuple[Header, ...], new: tuple[Header, ...]
    ) -> None:
        before = {self.old.header_key(h): h for h in old}
        after = {self.new.header_key(h): h for h in new}
        for key in sorted(before.keys() | after.keys()):
            label = self.name(key) if key in before else self.name(key, old=False)
            if key not in after:
                if side == "input":
                    detail = f"input header {label} removed: old clients still send it"
                    self.add("header-removed", where, detail, False)
                else:
                    detail = f"output header {label} removed: old clients may read it"
                    self.add("header-removed", where, detail, True)
            elif key not in before:
                header = after[key]
                if side == "input" and header.required:
                    detail = f"required input header {label} added: old clients don't send it"
                    self.add("header-added", where, detail, True)
                else:
                    required = "required" if header.required else "optional"
                    detail = f"{required} {side} header {label} added"
                    self.add("header-added", where, detail, False)
            elif side == "input" and after[key].required and not before[key].required:
                detail = f"input header {label} became required"
                self.add("header-became-required", where, detail, True)

    def port_types(self) -> None:
        old, new = self.old.port_types, self.new.port_types
        single = len(old) == 1 and len(new) == 1
        for name in sorted(old.keys() | new.keys()):
            prefix = "" if single else f"portType {self.name(name)} / "
            if name not in new:
                ops = ", ".join(sorted(old[name])) or "no operations"
                self.add(
                    "port-type-removed", f"portType {self.name(name)}", f"removed ({ops})", True
                )
            elif name not in old:
                where = f"portType {self.name(name, old=False)}"
                self.add("port-type-added", where, "added", False)
            else:
                for op in sorted(old[name].keys() | new[name].keys()):
                    self.operation(f"{prefix}operation {op}", old[name].get(op), new[name].get(op))

    def message_text(self, contract: Contract, message: str | None, *, old: bool) -> str:
        parts = contract.messages.get(message or "")
        if parts is None:
            return "none" if message is None else f"undeclared message {self.name(message)}"
        return ", ".join(self.name(p.element or p.type or p.name, old=old) for p in parts) or "()"

    def message_shape(self, contract: Contract, message: str | None) -> tuple[str, ...] | None:
        """What a message puts on the wire: its elements (rpc parts: name and type)."""
        if message is None:
            return None
        parts = contract.messages.get(message, ())
        return tuple(p.element or f"{p.name}:{p.type}" for p in parts)

    def operation(self, where: str, old: Operation | None, new: Operation | None) -> None:
        if new is None and old is not None:
            detail = f"removed (input {self.message_text(self.old, old.input, old=True)})"
            self.add("operation-removed", where, detail, True)
            return
        if old is None and new is not None:
            detail = f"added (input {self.message_text(self.new, new.input, old=False)})"
            self.add("operation-added", where, detail, False)
            return
        assert old is not None and new is not None
        for side in ("input", "output"):
            before: str | None = getattr(old, side)
            after: str | None = getattr(new, side)
            old_shape = self.message_shape(self.old, before)
            new_shape = self.message_shape(self.new, after)
            if old_shape == new_shape:
                continue
            detail = (
                f"{side} {self.message_text(self.old, before, old=True)} -> "
                f"{self.message_text(self.new, after, old=False)}"
            )
            pattern_changed = old_shape is None or new_shape is None
            kind = "operation-pattern-changed" if pattern_changed else f"operation-{side}-changed"
            self.add(kind, where, detail, True)
        old_faults, new_faults = dict(old.faults), dict(new.faults)
        for fault in sorted(old_faults.keys() | new_faults.keys()):
            if fault not in new_faults:
                text = self.message_text(self.old, old_faults[fault], old=True)
                detail = f"fault {fault} ({text}) removed: old clients' handling of it goes unused"
                self.add("fault-removed", where, detail, False)
            elif fault not in old_faults:
                text = self.message_text(self.new, new_faults[fault], old=False)
                detail = f"fault {fault} ({text}) added: old clients see it as a generic SOAP fault"
                self.add("fault-added", where, detail, False)
            elif self.message_shape(self.old, old_faults[fault]) != self.message_shape(
                self.new, new_faults[fault]
            ):
                detail = (
                    f"fault {fault} {self.message_text(self.old, old_faults[fault], old=True)} -> "
                    f"{self.message_text(self.new, new_faults[fault], old=False)}"
                )
                self.add("operation-fault-changed", where, detail, True)


def diff_wsdl(
    old: bytes | Path | str,
    new: bytes | Path | str,
    catalog: Catalog | None = None,
    client: str = "strict",
) -> list[Change]:
    """The changes from ``old`` to ``new``, each judged for a client generated from ``old``.

    ``old`` and ``new`` are WSDL bytes, paths or http(s) URLs; what they import is read too,
    through ``catalog`` if given. ``client`` is how the old client reads answers: "strict"
    (as ``codegen``'s clients do, like zeep's ``strict=True``: an element it doesn't know is an
    error) or "lax" (unknown elements are skipped).

    Raises WsdlError for unreadable input, XML that isn't well-formed, a DOCTYPE, or a document
    that isn't a WSDL 1.1 ``definitions``. The order is deterministic: namespaces, services,
    bindings, operations, global elements, then named types, each sorted by name.
    """
    if client not in ("strict", "lax"):
        raise WsdlError(f"unknown client strictness {client!r} (strict or lax)")
    loader = Loader(catalog or Catalog.standard())
    old_docs = load_contract(old, "old", loader)
    new_docs = load_contract(new, "new", loader)
    renames = namespace_renames(old_docs, new_docs)
    contracts: list[Contract] = []
    for documents, wsdl_renames, schema_renames in (
        (old_docs, renames.wsdl, renames.schema),
        (new_docs, {}, {}),
    ):
        try:
            contracts.append(Contract(documents, Names(wsdl_renames), Names(schema_renames)))
        except WsdlError as exc:
            raise WsdlError(f"{documents.label}: {exc}") from None
    changes = list(renames.changes)
    try:
        differ = _Differ(contracts[0], contracts[1], renames.reverse(), strict=client == "strict")
        changes += differ.run()
    except WsdlError as exc:  # a QName met only while walking the schemas
        raise WsdlError(f"{old_docs.label} / {new_docs.label}: {exc}") from None
    return changes
