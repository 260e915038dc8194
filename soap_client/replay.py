"""Sample envelopes: replay them against a core and compare the answers, or record the answers.

``samples/manifest.toml`` lists the samples in the order they run, each a raw request file and
an expected response file. Expected responses are compared structurally: namespace prefixes,
whitespace and comments don't matter; element names (with namespaces), attributes, text and the
order of children do. Values that change from run to run are written as placeholders:

* ``{{NAME}}`` binds NAME to the actual text the first time it is met, and must equal it after;
  requests use ``{{NAME}}`` to send a bound value (a token from Login, a PNR from Book);
* ``{{*}}`` matches any text.

A placeholder may be part of a text (``no booking with PNR {{PNR_MMT}}``). The first line of an
expected response is a comment with the HTTP status: ``<!-- HTTP 500 -->``.

A sample may name another ``clock``: the core is then restarted on the same database with that
clock before the sample runs (only possible when the replay manages the core itself).
"""

from __future__ import annotations

import difflib
import re
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import requests
from lxml import etree
from werkzeug.test import Client

from core_runner import CoreNotStarted, FreshCore
from soap_client.transports import WsgiApp

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"
_PLACEHOLDER = re.compile(r"\{\{(\*|[A-Z][A-Z0-9_]*)\}\}")
_STATUS = re.compile(r"^\s*<!--\s*HTTP\s+(\d{3})\s*-->")
_QNAME_TEXT = re.compile(r"^([A-Za-z_][\w.-]*):([A-Za-z_][\w.-]*)$")
_PARSER = etree.XMLParser(
    resolve_entities=False,
    load_dtd=False,
    no_network=True,
    remove_comments=True,
    remove_blank_text=True,
)


class SampleError(Exception):
    """A broken sample set or an unreachable core: reported as one line."""


@dataclass(frozen=True)
class Sample:
    id: str
    operation: str
    request: Path
    response: Path
    shows: str
    method: str = "POST"
    content_type: str | None = "text/xml; charset=utf-8"
    soap_action: str | None = None  # the header's value; None: not sent
    clock: str | None = None
    profile: Path | None = None  # a simulation profile the core must run with
    capture: dict[str, str] = field(default_factory=dict)
    needs: tuple[str, ...] = ()
    locks: str | None = None  # the agent this sample locks (or brings close to a lock)


@dataclass(frozen=True)
class Manifest:
    root: Path
    clock: str
    state: str
    samples: tuple[Sample, ...]

    def select(self, paths: Iterable[str]) -> tuple[list[Sample], set[str]]:
        """The samples under ``paths`` (files or folders), plus every sample they depend on.

        Returns the samples to run in manifest order and the ids that were asked for.
        """
        wanted_paths = [Path(p).resolve() for p in paths]
        if not wanted_paths:
            return list(self.samples), {s.id for s in self.samples}
        asked = set()
        for sample in self.samples:
            for path in wanted_paths:
                if path in (sample.request.resolve(), sample.response.resolve()) or (
                    path.is_dir() and path in sample.request.resolve().parents
                ):
                    asked.add(sample.id)
        if not asked:
            raise SampleError(f"no sample under {', '.join(map(str, paths))}")
        by_id = {s.id: s for s in self.samples}
        needed = set(asked)
        stack = list(asked)
        while stack:
            for dependency in self._dependencies(by_id[stack.pop()]):
                if dependency not in needed:
                    needed.add(dependency)
                    stack.append(dependency)
        return [s for s in self.samples if s.id in needed], asked

    def _dependencies(self, sample: Sample) -> set[str]:
        found = set(sample.needs)
        # latin-1 reads any bytes; placeholders are ASCII whatever the encoding of the file
        used = set(_PLACEHOLDER.findall(sample.request.read_bytes().decode("latin-1"))) - {"*"}
        for earlier in self.samples:
            if earlier.id == sample.id:
                break
            if used & set(earlier.capture):
                found.add(earlier.id)
        return found


def load_manifest(root: Path = SAMPLES_DIR) -> Manifest:
    path = root / "manifest.toml"
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SampleError(f"cannot read {path}: {error}") from None
    samples = []
    for entry in data["samples"]:
        action = entry.get("soap_action", f'"{entry["operation"]}"')
        samples.append(
            Sample(
                id=entry["id"],
                operation=entry["operation"],
                request=root / entry["request"],
                response=root / entry["response"],
                shows=entry["shows"],
                method=entry.get("method", "POST"),
                content_type=entry.get("content_type", "text/xml; charset=utf-8") or None,
                soap_action=None if action == "-" else action,
                clock=entry.get("clock"),
                profile=root / entry["profile"] if "profile" in entry else None,
                capture=dict(entry.get("capture", {})),
                needs=tuple(entry.get("needs", ())),
                locks=entry.get("locks"),
            )
        )
    ids = [s.id for s in samples]
    if len(set(ids)) != len(ids):
        raise SampleError("sample ids must be unique")
    return Manifest(root, data["clock"], data.get("state", ""), tuple(samples))


# -- where requests go ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    elapsed_ms: float


class Target(Protocol):
    def send(self, method: str, body: bytes, headers: dict[str, str]) -> Answer: ...

    def use_core(self, clock: str, profile: Path | None) -> bool:
        """Make the core run on ``clock`` with ``profile``; False if this target cannot."""
        ...

    def may_lock_agents(self) -> bool:
        """Whether samples that lock an agent may run (the core is a throwaway one)."""
        ...

    def close(self) -> None: ...


class UrlTarget:
    """A core someone else started, assumed fresh, on the samples' clock and without a profile;
    samples that need another clock or a profile can't run against it."""

    def __init__(
        self,
        url: str,
        clock: str | None = None,
        timeout: float = 30,
        lock_agents: bool = False,
    ) -> None:
        self.url = url
        self.clock = clock
        self.timeout = timeout
        self.lock_agents = lock_agents
        self._session = requests.Session()

    def may_lock_agents(self) -> bool:
        return self.lock_agents

    def check(self, manifest: Manifest) -> None:
        """Refuse a core that cannot give the samples' answers, saying why and what to do.

        The samples assume a fresh core on their clock without a profile; anything else gives
        a page of failures that say nothing about the core's behaviour (and a replay writes
        bookings into a core someone may be using)."""
        base = self.url.rstrip("/").removesuffix("/soap")
        try:
            health = self._session.get(f"{base}/healthz", timeout=min(self.timeout, 10)).json()
        except requests.RequestException as error:
            raise SampleError(
                f"cannot reach {self.url}: {type(error).__name__}: start a core with"
                " 'python -m soap_server serve --demo --clock sample --db"
                " /tmp/samples.sqlite3',"
                " or use 'replay --fresh'"
            ) from None
        except ValueError:
            raise SampleError(f"{base}/healthz is not the health page of a core") from None
        fresh = (
            "start a fresh one with 'python -m soap_server serve --demo --clock sample --db"
            " /tmp/samples.sqlite3' (a new database file), or use 'replay --fresh'"
        )
        details = health.get("demo") if isinstance(health, dict) else None
        if not isinstance(details, dict):
            # A core outside demo mode keeps its clock and data to itself: ask it the time the
            # way any partner can, with the samples' own first Login.
            self._check_clock_by_login(manifest, fresh)
            return
        if details.get("clock") != manifest.clock:
            raise SampleError(
                f"the core at {self.url} runs on clock {details.get('clock')}; the samples were"
                f" recorded on a fresh core on {manifest.clock}: {fresh}"
            )
        if details.get("profile"):
            name = details["profile"].get("name", "?")
            raise SampleError(f"the core at {self.url} runs simulation profile {name}: {fresh}")
        if details.get("bookings"):
            raise SampleError(
                f"the core at {self.url} already holds {details['bookings']} booking(s); the"
                f" samples need a fresh database: {fresh}"
            )

    def _check_clock_by_login(self, manifest: Manifest, fresh: str) -> None:
        """The core's time from the samples' first plain Login (its ``ServerTime``)."""
        login = next(
            (
                sample
                for sample in manifest.samples
                if sample.operation == "Login"
                and sample.clock is None
                and sample.profile is None
                and b"ServerTime" in sample.response.read_bytes()
            ),
            None,
        )
        if login is None or not manifest.clock.startswith("fixed:"):
            return
        headers = {"Content-Type": login.content_type or "text/xml; charset=utf-8"}
        if login.soap_action is not None:
            headers["SOAPAction"] = login.soap_action
        answer = self.send(login.method, login.request.read_bytes(), headers)
        try:
            times = etree.fromstring(answer.body).xpath("//*[local-name()='ServerTime']/text()")
        except etree.XMLSyntaxError:
            times = []
        if not isinstance(times, list) or not times:
            raise SampleError(
                f"the core at {self.url} did not log in the samples' agent (HTTP"
                f" {answer.status}); the samples need a fresh core on {manifest.clock}: {fresh}"
            )
        expected = datetime.fromisoformat(manifest.clock.removeprefix("fixed:"))
        said = str(times[0])
        try:
            same = datetime.fromisoformat(said) == expected
        except ValueError:
            same = False
        if not same:
            raise SampleError(
                f"the core at {self.url} says it is {said}; the samples were recorded on a"
                f" fresh core on {manifest.clock}: {fresh}"
            )

    def send(self, method: str, body: bytes, headers: dict[str, str]) -> Answer:
        started = time.perf_counter()
        try:
            response = self._session.request(
                method, self.url, data=body, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as error:
            raise SampleError(f"cannot reach {self.url}: {type(error).__name__}") from None
        return Answer(response.status_code, response.content, _ms(started))

    def use_core(self, clock: str, profile: Path | None) -> bool:
        return clock == self.clock and profile is None

    def close(self) -> None:
        self._session.close()


class ManagedCore(UrlTarget):
    """Fresh cores started for the replay (see ``fresh.py``), restarted on the same database
    when a sample needs another clock or a simulation profile."""

    def __init__(self, folder: Path, clock: str) -> None:
        try:
            self.core = FreshCore(folder, clock)
        except CoreNotStarted as error:
            raise SampleError(str(error)) from None
        super().__init__(self.core.url, clock, lock_agents=True)
        self.profile: Path | None = None

    def use_core(self, clock: str, profile: Path | None) -> bool:
        if (clock, profile) != (self.clock, self.profile):
            try:
                self.core.restart(clock, profile)
            except CoreNotStarted as error:
                raise SampleError(str(error)) from None
            self.url, self.clock, self.profile = self.core.url, clock, profile
        return True

    def close(self) -> None:
        super().close()
        self.core.stop()


class WsgiTarget:
    """In-process: ``factory(clock, profile)`` builds the core's WSGI app (on one database)."""

    def __init__(self, factory: Callable[[str, Path | None], WsgiApp], clock: str) -> None:
        self._factory = factory
        self.clock = clock
        self.profile: Path | None = None
        self._client = Client(factory(clock, None))

    def send(self, method: str, body: bytes, headers: dict[str, str]) -> Answer:
        started = time.perf_counter()
        answer = self._client.open("/soap", method=method, data=body, headers=headers)
        return Answer(answer.status_code, answer.get_data(), _ms(started))

    def use_core(self, clock: str, profile: Path | None) -> bool:
        if (clock, profile) != (self.clock, self.profile):
            self._client = Client(self._factory(clock, profile))
            self.clock, self.profile = clock, profile
        return True

    def may_lock_agents(self) -> bool:
        return True

    def close(self) -> None:
        pass


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


# -- comparing -------------------------------------------------------------------------------


def _qname_text(element: etree._Element, text: str) -> str:
    """``prefix:local`` in a text (as in faultcode) as ``{namespace}local``: prefix-blind."""
    found = _QNAME_TEXT.match(text)
    if found and found.group(1) in (element.nsmap or {}):
        return f"{{{element.nsmap[found.group(1)]}}}{found.group(2)}"
    return text


def _text_pattern(expected: str, bindings: dict[str, str]) -> re.Pattern[str]:
    parts = []
    position = 0
    seen: set[str] = set()
    for found in _PLACEHOLDER.finditer(expected):
        parts.append(re.escape(expected[position : found.start()]))
        name = found.group(1)
        if name == "*":
            parts.append(".*?")
        elif name in bindings:
            parts.append(re.escape(bindings[name]))
        elif name in seen:
            parts.append(f"(?P={name})")
        else:
            parts.append(f"(?P<{name}>.+?)")
            seen.add(name)
        position = found.end()
    parts.append(re.escape(expected[position:]))
    return re.compile("".join(parts), re.DOTALL)


def _path(element: etree._Element) -> str:
    steps = []
    node: etree._Element | None = element
    while node is not None:
        name = etree.QName(node).localname
        parent = node.getparent()
        if parent is not None:
            same = [c for c in parent if c.tag == node.tag]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        steps.append(name)
        node = parent
    return "/" + "/".join(reversed(steps))


def compare(
    expected: etree._Element, actual: etree._Element, bindings: dict[str, str]
) -> list[str]:
    """Differences between two documents, each naming the element; binds placeholders."""
    problems: list[str] = []
    _compare(expected, actual, bindings, problems)
    return problems


def _compare(
    expected: etree._Element,
    actual: etree._Element,
    bindings: dict[str, str],
    problems: list[str],
) -> None:
    where = _path(actual)
    if expected.tag != actual.tag:
        problems.append(f"{where}: expected element {expected.tag}, got {actual.tag}")
        return
    want_attributes = {str(k): str(v) for k, v in expected.attrib.items()}
    got_attributes = {str(k): str(v) for k, v in actual.attrib.items()}
    if want_attributes != got_attributes:
        problems.append(f"{where}: expected attributes {want_attributes}, got {got_attributes}")
    want = _qname_text(expected, (expected.text or "").strip())
    got = _qname_text(actual, (actual.text or "").strip())
    matched = _text_pattern(want, bindings).fullmatch(got)
    if matched is None:
        problems.append(f"{where}: expected {want!r}, got {got!r}")
    else:
        bindings.update({k: v for k, v in matched.groupdict().items() if v is not None})
    expected_children = [c for c in expected if isinstance(c.tag, str)]
    actual_children = [c for c in actual if isinstance(c.tag, str)]
    # Align children by name, so that one missing element is reported as missing rather than
    # as every later sibling being different.
    matcher = difflib.SequenceMatcher(
        a=[c.tag for c in expected_children], b=[c.tag for c in actual_children], autojunk=False
    )
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        paired = min(i2 - i1, j2 - j1) if operation in ("equal", "replace") else 0
        for offset in range(paired):
            _compare(
                expected_children[i1 + offset], actual_children[j1 + offset], bindings, problems
            )
        for missing in expected_children[i1 + paired : i2]:
            problems.append(f"{where}/{etree.QName(missing).localname}: missing element")
        for extra in actual_children[j1 + paired : j2]:
            problems.append(f"{_path(extra)}: unexpected element")


def _substitute(text: str, bindings: dict[str, str], sample: Sample) -> str:
    def value(found: re.Match[str]) -> str:
        name = found.group(1)
        if name not in bindings:
            raise SampleError(f"{sample.id}: {{{{{name}}}}} is used before any sample binds it")
        return bindings[name]

    return _PLACEHOLDER.sub(value, text)


def pretty(document: etree._Element) -> str:
    copy = etree.fromstring(etree.tostring(document), _PARSER)
    etree.indent(copy, space="  ")
    return etree.tostring(copy, encoding="unicode")


# -- replaying -------------------------------------------------------------------------------


@dataclass
class Result:
    sample: Sample
    outcome: str  # "pass", "fail", "skip"
    status: int | None = None
    elapsed_ms: float = 0.0
    problems: list[str] = field(default_factory=list)
    diff: str = ""
    reason: str = ""
    setup: bool = False  # run only because a selected sample needed it

    def report(self) -> dict[str, Any]:
        return {
            "id": self.sample.id,
            "operation": self.sample.operation,
            "outcome": self.outcome,
            "status": self.status,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "problems": self.problems,
            "diff": self.diff,
            "reason": self.reason,
            "setup": self.setup,
        }


def _request_of(sample: Sample, bindings: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    raw = sample.request.read_bytes()
    headers = {}
    if sample.content_type is not None:
        headers["Content-Type"] = sample.content_type
    if sample.soap_action is not None:
        headers["SOAPAction"] = sample.soap_action
    if b"{{" in raw:
        charset = "utf-8"
        if sample.content_type and "charset=" in sample.content_type:
            charset = sample.content_type.split("charset=")[1].split(";")[0].strip()
        raw = _substitute(raw.decode(charset), bindings, sample).encode(charset)
    return raw, headers


def _expected_of(sample: Sample) -> tuple[int, etree._Element]:
    text = sample.response.read_text("utf-8")
    status = _STATUS.match(text)
    if status is None:
        raise SampleError(f"{sample.response} must start with <!-- HTTP nnn -->")
    return int(status.group(1)), etree.fromstring(text.encode("utf-8"), _PARSER)


def replay(
    manifest: Manifest,
    target: Target,
    paths: Iterable[str] = (),
    progress: Callable[[int, int], None] | None = None,
) -> list[Result]:
    """Send the samples in order; ``progress(done, total)`` after each."""
    samples, asked = manifest.select(paths)
    bindings: dict[str, str] = {}
    results: list[Result] = []
    failed: set[str] = set()
    for sample in samples:
        if progress is not None:
            progress(len(results), len(samples))
        setup = sample.id not in asked
        if sample.locks and not target.may_lock_agents():
            reason = (
                f"would lock agent {sample.locks} on a core this replay did not start:"
                " use --fresh, or --lock-agents on a core nobody shares"
            )
            results.append(Result(sample, "skip", reason=reason, setup=setup))
            failed.add(sample.id)
            continue
        broken = [n for n in sample.needs if n in failed]
        if broken or not target.use_core(sample.clock or manifest.clock, sample.profile):
            needs = f"profile {sample.profile.name}" if sample.profile else f"clock {sample.clock}"
            reason = (
                f"needs {', '.join(broken)}"
                if broken
                else f"needs a core with {needs}: use --fresh"
            )
            results.append(Result(sample, "skip", reason=reason, setup=setup))
            failed.add(sample.id)
            continue
        try:
            body, headers = _request_of(sample, bindings)
        except SampleError as error:
            results.append(Result(sample, "skip", reason=str(error), setup=setup))
            failed.add(sample.id)
            continue
        answer = target.send(sample.method, body, headers)
        status, expected = _expected_of(sample)
        result = Result(sample, "pass", answer.status, answer.elapsed_ms, setup=setup)
        if answer.status != status:
            result.problems.append(f"HTTP status {answer.status}, expected {status}")
        try:
            actual = etree.fromstring(answer.body, _PARSER)
        except etree.XMLSyntaxError:
            result.problems.append(f"the answer is not XML: {answer.body[:200]!r}")
        else:
            before = dict(bindings)
            result.problems.extend(compare(expected, actual, bindings))
            if result.problems:
                want = _PLACEHOLDER.sub(
                    lambda m: bindings.get(m.group(1), m.group(0)), pretty(expected)
                )
                result.diff = "".join(
                    difflib.unified_diff(
                        want.splitlines(keepends=True),
                        pretty(actual).splitlines(keepends=True),
                        f"expected {sample.response.name}",
                        "actual answer",
                    )
                )
                bindings.clear()
                bindings.update(before)
                for name, local in sample.capture.items():  # keep later samples going
                    found = actual.find(f".//{{*}}{local}")
                    if found is not None and found.text:
                        bindings[name] = found.text.strip()
        if result.problems:
            result.outcome = "fail"
            failed.add(sample.id)
        results.append(result)
    if progress is not None:
        progress(len(results), len(samples))
    return results


# -- recording -------------------------------------------------------------------------------


def record(manifest: Manifest, target: Target) -> Iterator[tuple[Sample, int]]:
    """Send every sample and rewrite its expected response from the answer, placeholders kept:
    captured elements and any text holding a bound value become ``{{NAME}}``."""
    bindings: dict[str, str] = {}
    for sample in manifest.samples:
        if not target.use_core(sample.clock or manifest.clock, sample.profile):
            raise SampleError(f"{sample.id} needs its own core: record needs fresh cores")
        body, headers = _request_of(sample, bindings)
        answer = target.send(sample.method, body, headers)
        try:
            actual = etree.fromstring(answer.body, _PARSER)
        except etree.XMLSyntaxError:
            raise SampleError(
                f"{sample.id}: the answer is not XML: {answer.body[:200]!r}"
            ) from None
        for name, local in sample.capture.items():
            found = actual.find(f".//{{*}}{local}")
            if found is None or not found.text:
                raise SampleError(f"{sample.id}: no <{local}> to capture as {name}")
            bindings[name] = found.text.strip()
        keep_wildcards(sample.response, actual, bindings)
        values = sorted(bindings.items(), key=lambda item: -len(item[1]))
        for element in actual.iter():
            if isinstance(element.tag, str) and element.text and element.text.strip():
                text = element.text
                for name, value in values:
                    if len(value) >= 6:
                        text = text.replace(value, f"{{{{{name}}}}}")
                element.text = text
        sample.response.parent.mkdir(parents=True, exist_ok=True)
        sample.response.write_text(f"<!-- HTTP {answer.status} -->\n{pretty(actual)}\n", "utf-8")
        yield sample, answer.status


def keep_wildcards(expected_file: Path, actual: etree._Element, bindings: dict[str, str]) -> None:
    """A text the expected response wrote with ``{{*}}`` (a value that changes from run to run,
    such as the seconds a real-time rate limit asks to wait) stays written so when the new
    answer still matches it: recording again must not freeze this run's value."""
    try:
        expected = etree.fromstring(expected_file.read_bytes(), _PARSER)
    except (OSError, etree.XMLSyntaxError):
        return
    old = [e for e in expected.iter() if isinstance(e.tag, str)]
    new = [e for e in actual.iter() if isinstance(e.tag, str)]
    if [e.tag for e in old] != [e.tag for e in new]:
        return  # another shape: the answer changed, record it as it is
    for before, after in zip(old, new, strict=True):
        want = (before.text or "").strip()
        if "{{*}}" in want and _text_pattern(want, dict(bindings)).fullmatch(
            (after.text or "").strip()
        ):
            after.text = want


def fresh_core(folder: Path, manifest: Manifest) -> ManagedCore:
    return ManagedCore(folder, manifest.clock)
