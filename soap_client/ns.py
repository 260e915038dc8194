"""The XML namespaces the client side reads and writes, in one place.

``TNS`` is the namespace of the core's contract (the agent, the load generator and the replay
read its faults); the others are the standards WSDL 1.1 documents are written in.
"""

#: The target namespace of the reservation contract, as its WSDL publishes it.
TNS = "urn:irctc:reservation:v1"
#: The SOAP 1.1 envelope, and the SOAP 1.2 one.
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
XS = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
#: WSDL 1.1 binding extensions: SOAP 1.1, SOAP 1.2 and plain HTTP.
SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
HTTP = "http://schemas.xmlsoap.org/wsdl/http/"
