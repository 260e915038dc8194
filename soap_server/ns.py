"""The XML namespaces the core reads and writes, in one place.

``TNS`` is the SOAP contract's target namespace (one per contract version); the others are the
standards it is written in.
"""

TNS = "urn:irctc:reservation:v1"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
SOAP_HTTP = "http://schemas.xmlsoap.org/soap/http"
XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"  # the WSDL's SOAP 1.1 binding elements
XSI = "http://www.w3.org/2001/XMLSchema-instance"
