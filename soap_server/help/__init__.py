"""The help site: the service at a glance, a page per operation in each era, the WSDL for
people, the samples and the comparison report (see ``site.py``)."""

from soap_server.help.site import CoreFacts, HelpSite

__all__ = ["CoreFacts", "HelpSite"]
