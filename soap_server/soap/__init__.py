"""The SOAP 1.1 facade of the reservation core (Spyne, document/literal wrapped).

Spyne 2.14 imports the deprecated ``cgi`` module and an old vendored ``six``; their import-time
warnings are silenced here, once, so that they don't reach users of the CLI.
"""

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=ImportWarning)
    import spyne  # noqa: F401
    import spyne.protocol.soap  # noqa: F401
    import spyne.server.wsgi  # noqa: F401
