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
#: WS-Security 1.0 (OASIS 2004): the Security header, its utility namespace (Timestamp, Created),
#: and the UsernameToken profile's password types and the Nonce's encoding.
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
_UT_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
PASSWORD_TEXT = f"{_UT_PROFILE}#PasswordText"
PASSWORD_DIGEST = f"{_UT_PROFILE}#PasswordDigest"
BASE64_BINARY = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)
XSI = "http://www.w3.org/2001/XMLSchema-instance"
