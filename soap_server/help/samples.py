"""The committed sample envelopes (``samples/``), read for the help pages.

The samples are replayed against the core by the tests, so what the pages show as a request
and its answer is what the core really does. The replay tool lives on the client side
(``soap_client/replay.py``); the core reads the same manifest here on its own, since the two
sides share no code.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples"
_STATUS = re.compile(r"^\s*<!--\s*HTTP\s+(\d{3})\s*-->\s*")
_CODE = re.compile(r"<[\w.]*:?Code>([A-Za-z]+)</")
_FAULTCODE = re.compile(r"<faultcode>[^<:]*:?([^<]+)</faultcode>")
_TOKEN = re.compile(r"\{\{[A-Z_]*TOKEN\}\}")
_PNR = re.compile(r"\{\{PNR[A-Z0-9_]*\}\}")
_REFERENCE = re.compile(r"(<(?:[\w.-]+:)?ClientReference>)[^<]*(</)")
_PASSWORD = re.compile(r"(<(?:[\w.-]+:)?Password>)[^<]*(</)")
_DATE = re.compile(r"\b(20\d\d-\d\d-\d\d)\b")


@dataclass(frozen=True)
class Sample:
    id: str
    operation: str
    shows: str
    request_file: str
    request: str
    response: str
    status: int
    content_type: str
    soap_action: str | None
    clock: str | None
    profile: str | None

    @property
    def fault(self) -> str | None:
        """``Client.UnknownStation`` for a fault sample, None for a normal answer."""
        found = _FAULTCODE.search(self.response)
        return found.group(1).strip() if found else None

    @property
    def code(self) -> str | None:
        found = _CODE.search(self.response)
        return found.group(1) if found else None


@dataclass(frozen=True)
class Samples:
    root: Path
    clock: str
    state: str
    items: tuple[Sample, ...]

    def of(self, operation: str) -> list[Sample]:
        return [s for s in self.items if s.operation == operation]

    def example(self, operation: str) -> Sample | None:
        """The first sample that answers ``operation`` normally on the samples' own clock."""
        return next(
            (
                s
                for s in self.of(operation)
                if s.status == 200 and s.clock is None and s.profile is None
            ),
            None,
        )

    @property
    def today(self) -> date:
        return date.fromisoformat(self.clock.partition(":")[2][:10])


def load_samples(root: Path = SAMPLES_DIR) -> Samples | None:
    """The samples, or None when the folder is not there (an installed package without them)."""
    try:
        data = tomllib.loads((root / "manifest.toml").read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    items = []
    for entry in data.get("samples", []):
        content_type = entry.get("content_type", "text/xml; charset=utf-8")
        charset = "utf-8"
        if "charset=" in content_type:
            charset = content_type.split("charset=")[1].split(";")[0].strip()
        try:
            request = (root / entry["request"]).read_bytes().decode(charset, "replace")
            answer = (root / entry["response"]).read_text("utf-8")
        except (OSError, LookupError):
            continue
        status = _STATUS.match(answer)
        action = entry.get("soap_action", f'"{entry["operation"]}"')
        items.append(
            Sample(
                id=entry["id"],
                operation=entry["operation"],
                shows=entry.get("shows", ""),
                request_file=entry["request"],
                request=request,
                response=_STATUS.sub("", answer, count=1),
                status=int(status.group(1)) if status else 0,
                content_type=content_type,
                soap_action=None if action == "-" else action,
                clock=entry.get("clock"),
                profile=entry.get("profile"),
            )
        )
    return Samples(root, data.get("clock", ""), data.get("state", ""), tuple(items))


def form_body(sample: Sample, samples_today: date, today: date) -> str:
    """A sample request made ready to send from a browser to this core.

    Tokens become ``{{TOKEN}}`` and PNRs ``{{PNR}}`` (the page fills them in from the last
    Login and Book), the password ``{{PASSWORD}}``, the client reference ``{{REFERENCE}}`` (a
    new one per send), and dates move forward by whole weeks to the core's today, so a train
    that runs on the sample's weekday still runs and the journey is still ahead.
    """
    text = _TOKEN.sub("{{TOKEN}}", sample.request)
    text = _PNR.sub("{{PNR}}", text)
    text = _REFERENCE.sub(r"\1{{REFERENCE}}\2", text)
    text = _PASSWORD.sub(r"\1{{PASSWORD}}\2", text)
    return shift_dates(text, samples_today, today)


def shift_dates(text: str, samples_today: date, today: date) -> str:
    """Every date in ``text`` moved by ``shift_days``."""
    shift = shift_days(samples_today, today)
    if not shift:
        return text
    return _DATE.sub(lambda m: (date.fromisoformat(m.group(1)) + shift).isoformat(), text)


def shift_days(samples_today: date, today: date) -> timedelta:
    """The smallest whole number of weeks that brings the samples' today to ``today`` or after."""
    days = (today - samples_today).days
    if days <= 0:
        return timedelta(0)
    return timedelta(days=-(-days // 7) * 7)


def mask_password(text: str) -> str:
    return _PASSWORD.sub(r"\1********\2", text)
