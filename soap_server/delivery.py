"""Whether an answer reaches its caller: the door may say it is lost (a simulation hook decided).

``CoreApp`` puts one ``Delivery`` in the WSGI environ of every request; a facade that gets an
``Answer`` with ``lost`` set marks it (``deliver``), and once the answer is computed the app cuts
the connection instead of sending it. The work stays done: that is the lost answer of the
legacy era, which a client must recover from by resending with the same reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from soap_server.railway.system import Answer

ENVIRON_KEY = "irctc.delivery"
T = TypeVar("T")


@dataclass
class Delivery:
    """One request's fate: ``lost`` once any operation in it had its answer lost."""

    lost: bool = False


def deliver(environ: dict[str, Any], answer: Answer[T]) -> T:
    """The answer's value, after noting in the request's ``Delivery`` whether it is lost."""
    if answer.lost:
        delivery = environ.get(ENVIRON_KEY)
        if isinstance(delivery, Delivery):
            delivery.lost = True
    return answer.value
