"""``Client``: the base of every generated client class; zeep sends, the fast reader reads.

A call converts the method's arguments with the operation's table, has zeep build the envelope
(plugins, WS-Addressing and WS-Security applied as zeep does), posts it with the zeep transport,
parses the reply with zeep's safe parser (WS-Security verified, ingress plugins applied), then
reads the body with the fast reader. Faults go through zeep's binding; replies the fast reader
can't judge are handed to zeep's own parse of the same document.
"""

from __future__ import annotations

import os
import threading
from typing import Any, ClassVar, cast

import zeep
from lxml import etree
from requests_toolbelt.multipart.decoder import MultipartDecoder  # type: ignore[import-untyped]
from zeep import exceptions, plugins
from zeep.exceptions import Fault
from zeep.exceptions import TransportError as _TransportError
from zeep.wsdl import attachments
from zeep.wsdl.messages import xop

from soap_client.ns import SOAP_ENV
from soap_client.runtime.faults import ServiceFault
from soap_client.runtime.objects import fields_from_zeep, from_zeep, member_to_zeep
from soap_client.runtime.reader import Unreadable, read_fields, read_object
from soap_client.runtime.shapes import Operation, Shape
from soap_client.runtime.values import Simple
from soap_client.settings import safe_settings

# zeep leaves these unannotated.
TransportError: Any = _TransportError
DTDForbidden: Any = exceptions.DTDForbidden
EntitiesForbidden: Any = exceptions.EntitiesForbidden
ZeepFault: Any = Fault
apply_ingress: Any = plugins.apply_ingress
MessagePack: Any = attachments.MessagePack
process_xop: Any = xop.process_xop


class Client:
    """A client of one binding of a WSDL, at one address.

    ``wsdl`` is a path or URL; ``catalog`` an XML catalog file mapping remote imports to local
    files (without one, the standard stand-ins of ``soap_client.catalog`` still serve);
    ``transport`` a zeep transport, which still loads documents through the catalog;
    ``fast=False`` reads every reply through zeep. Imports over http need a
    catalog or settings with ``forbid_external=False``: the default settings refuse them.
    """

    binding: ClassVar[str] = ""
    ports: ClassVar[dict[str, str]] = {}
    default_address: ClassVar[str | None] = None
    operations: ClassVar[dict[str, Operation]] = {}

    def __init__(
        self,
        wsdl: str | os.PathLike[str],
        address: str | None = None,
        *,
        transport: Any = None,
        settings: Any = None,
        catalog: str | os.PathLike[str] | None = None,
        fast: bool = True,
    ) -> None:
        from soap_client.catalog import Catalog, CatalogLoading, CatalogTransport

        loaded = Catalog.read(catalog) if catalog is not None else Catalog.standard()
        if transport is None:
            transport = CatalogTransport(loaded)
        elif not isinstance(transport, CatalogTransport):
            transport = CatalogLoading(transport, loaded)
        self.zeep: Any = cast(Any, zeep).Client(
            os.fspath(wsdl), transport=transport, settings=settings or safe_settings()
        )
        target = address or self.default_address
        if target is None:
            raise ValueError(f"no address for {self.binding}: pass address=")
        self.address = target
        self.fast = fast
        self._binding: Any = self.zeep.wsdl.bindings[self.binding]
        self._options = {"address": target}
        self._envelope = env = self._binding.nsmap["soap-env"]
        self._body_tag, self._header_tag = f"{{{env}}}Body", f"{{{env}}}Header"
        self._fault_tag = f"{{{env}}}Fault"
        self._parsers = threading.local()

    # -- sending ---------------------------------------------------------------------------------
    def _call(self, name: str, arguments: dict[str, Any]) -> Any:
        op = self.operations[name]
        kwargs: dict[str, Any] = {}
        for member in op.params:
            value = arguments[member.name]
            if value is not None:
                kwargs[member.key] = member_to_zeep(member, value, self)
        headers = {}
        for member in op.headers:
            value = arguments[member.name]
            if value is not None:
                headers[member.key] = member_to_zeep(member, value, self)
        args: tuple[Any, ...] = ()
        if op.positional:
            args = tuple(kwargs.values())
            kwargs = {}
        if headers:
            kwargs["_soapheaders"] = headers
        envelope, http_headers = self._binding._create(
            name, args, kwargs, client=self.zeep, options=self._options
        )
        response = self.zeep.transport.post_xml(self.address, envelope, http_headers)
        return self._reply(op, response)

    # -- reading ---------------------------------------------------------------------------------
    def _reply(self, op: Operation, response: Any) -> Any:
        status, content = response.status_code, response.content
        if status in (201, 202) and not content:
            return None
        if status != 200 and not content:
            raise TransportError(
                f"Server returned HTTP status {status} (no content available)",
                status_code=status,
            )
        zeep_op = self._binding.get(op.name)
        doc = self._document(response, content)
        wsse = self.zeep.wsse
        for signer in wsse if isinstance(wsse, list) else [wsse] if wsse else []:
            if hasattr(signer, "verify"):
                signer.verify(doc)
        if self.zeep.plugins:
            doc, _ = apply_ingress(self.zeep, doc, response.headers, zeep_op)
        body = header = None
        for part in doc:
            if part.tag == self._body_tag:
                body = part
            elif part.tag == self._header_tag:
                header = part
        if status != 200 or body is None or body.find(self._fault_tag) is not None:
            self._fault(op, doc, zeep_op)
        assert body is not None
        if self.fast:
            try:
                return self._read_fast(op, body, header)
            except Unreadable:
                pass
        return self._read_zeep(op, zeep_op, body, header)

    def _document(self, response: Any, content: bytes) -> etree._Element:
        content_type = str(response.headers.get("Content-Type", "text/xml"))
        pack = None
        if content_type.partition(";")[0].strip().lower() == "multipart/related":
            decoder = MultipartDecoder(content, content_type, response.encoding or "utf-8")
            content = decoder.parts[0].content
            if len(decoder.parts) > 1:
                pack = MessagePack(parts=decoder.parts[1:])
        try:
            doc = self._parse(content)
        except etree.XMLSyntaxError as error:
            raise TransportError(
                f"Server returned response ({response.status_code}) with invalid XML: {error}",
                status_code=response.status_code,
                content=content,
            ) from None
        if pack is not None:
            process_xop(doc, pack)
        return doc

    def _parse(self, content: bytes) -> etree._Element:
        """The reply parsed as zeep's ``parse_xml`` does (the same settings and checks), with
        a parser kept per thread instead of one made per call."""
        settings = self.zeep.settings
        strict, huge = settings.strict, settings.xml_huge_tree
        parsers: dict[tuple[bool, bool], etree.XMLParser] = self._parsers.__dict__.setdefault(
            "by_settings", {}
        )
        parser = parsers.get((strict, huge))
        if parser is None:
            parser = parsers[strict, huge] = etree.XMLParser(
                remove_comments=True,
                resolve_entities=False,
                recover=not strict,
                huge_tree=huge,
                no_network=True,
                load_dtd=False,
            )
        doc = etree.fromstring(content, parser)
        docinfo: Any = doc.getroottree().docinfo
        if docinfo.doctype and settings.forbid_dtd:
            raise DTDForbidden(docinfo.doctype, docinfo.system_url, docinfo.public_id)
        if docinfo.internalDTD is not None or docinfo.externalDTD is not None:
            if settings.forbid_entities:
                for dtd in docinfo.internalDTD, docinfo.externalDTD:
                    for entity in [] if dtd is None else dtd.iterentities():
                        raise EntitiesForbidden(entity.name, entity.content)
        return doc

    def _read_fast(self, op: Operation, body: etree._Element, header: Any) -> Any:
        if op.mode == "body":
            fields = read_fields(op.output, body) if op.output is not None else None
            return self._result(op, fields, header, fast=True)
        element = next((c for c in body if isinstance(c.tag, str)), None)
        if op.mode == "simple":
            assert op.simple is not None
            value = None if element is None else op.simple.parse(element.text)
            return self._with_headers(op, value, header, fast=True)
        if element is None or op.output is None:
            return self._result(op, None, header, fast=True)
        return self._result(op, read_fields(op.output, element), header, fast=True)

    def _read_zeep(self, op: Operation, zeep_op: Any, body: etree._Element, header: Any) -> Any:
        output = zeep_op.output
        value = None
        if output.body is not None and (op.mode == "body" or len(body)):
            value = output._deserialize_body(body)["body"]
        if op.mode == "simple":
            assert op.simple is not None
            return self._with_headers(op, op.simple.from_zeep(value), header, fast=False)
        fields = fields_from_zeep(op.output, value, self) if op.output is not None else None
        return self._result(op, fields, header, fast=False)

    def _result(self, op: Operation, fields: dict[str, Any] | None, header: Any, fast: bool) -> Any:
        value: Any = None
        if op.unwrap is not None:
            if fields is not None:
                value = fields[op.unwrap]
            elif op.output is not None and op.unwrap in op.output.lists:
                value = []
        elif op.result is not None and fields is not None:
            value = op.result(**fields)
        return self._with_headers(op, value, header, fast)

    def _with_headers(self, op: Operation, value: Any, header: Any, fast: bool) -> Any:
        if op.reply is None or op.output_headers is None:
            return value
        shape: Shape = op.output_headers
        fields: dict[str, Any] | None = None
        if header is not None:
            if fast:
                fields = read_fields(shape, header, lax=True)
            else:
                zeep_op = self._binding.get(op.name)
                parsed = zeep_op.output._deserialize_headers(header).get("header")
                fields = fields_from_zeep(shape, parsed, self)
        values = fields or dict(shape.empty)
        if op.unwrap is not None or op.result is not None or op.simple is not None:
            values["result"] = value
        return op.reply(**values)

    # -- faults ----------------------------------------------------------------------------------
    def _fault(self, op: Operation, doc: etree._Element, zeep_op: Any) -> None:
        """Raise the fault ``doc`` carries: its parts read as zeep's ``process_error`` reads
        them (zeep itself for an error answer without a Fault)."""
        env = self._envelope
        fault = doc.find(f"{{{env}}}Body/{{{env}}}Fault")
        if fault is None:
            try:
                self._binding.process_error(doc, zeep_op)
            except Fault as error:
                self._raise(op, error)
            raise ServiceFault("", "an error answer without a fault")  # zeep always raises
        if env == SOAP_ENV:
            message, code = fault.findtext("faultstring"), fault.findtext("faultcode")
            actor, detail = fault.findtext("faultactor"), fault.find("detail")
        else:
            message = fault.findtext(f"{{{env}}}Reason/{{{env}}}Text")
            code = fault.findtext(f"{{{env}}}Code/{{{env}}}Value")
            actor, detail = None, fault.find(f"{{{env}}}Detail")
        self._raise(op, ZeepFault(message=message, code=code, actor=actor, detail=detail))

    def _raise(self, op: Operation, fault: Fault) -> None:
        code, message = str(fault.code or ""), str(fault.message or "")
        detail: Any = fault.detail
        children = [] if detail is None or isinstance(detail, str) else list(detail)
        for child in children:
            for error_class in op.faults:
                if error_class.element == child.tag:
                    typed = self._detail(error_class, child)
                    raise error_class(code, message, detail, typed, fault.actor) from None
        raise ServiceFault(code, message, detail, None, fault.actor) from None

    def _detail(self, error_class: type[ServiceFault], child: etree._Element) -> Any:
        kind = error_class.detail_type
        if isinstance(kind, Simple):
            return kind.parse(child.text)
        if kind is None:
            return None
        if self.fast:
            try:
                return read_object(kind, child)
            except Unreadable:
                pass
        parsed = self.zeep.get_element(error_class.element).parse(child, self.zeep.wsdl.types)
        return from_zeep(kind, parsed, self)

    # -- what the conversions need from zeep (objects.ZeepTypes) ----------------------------------
    def typed(self, type_name: str, data: dict[str, Any]) -> Any:
        return self.zeep.get_type(type_name)(**data)

    def substitute(self, tag: str, type_name: str, data: dict[str, Any]) -> Any:
        real = self.zeep.get_element(tag).type
        value = real(**data)
        value._xsd_type = _Renamed(tag, real)
        return value

    def element_xml(self, value: Any) -> etree._Element | None:
        xsd_type = getattr(value, "_xsd_type", None)
        for element in self.zeep.wsdl.types.elements:
            if element.type is xsd_type:
                holder = etree.Element("holder")
                element.render(holder, value)
                return holder[0] if len(holder) else None
        return None


class _Renamed:
    """Stands in for a type so that zeep writes a substitution-group member under its own name.

    zeep has no substitution groups: it writes the head element's name. A value whose
    ``_xsd_type`` differs from the element's is rendered by that type's ``render``; this one
    renames the node zeep just made and lets the member's real type fill it.
    """

    def __init__(self, tag: str, real: Any) -> None:
        self.tag = tag
        self.real = real
        self.qname = None
        self._xsd_name = None

    def render(self, node: etree._Element, value: Any, xsd_type: Any, render_path: Any) -> None:
        node.tag = self.tag
        self.real.render(node, value, None, render_path)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)
