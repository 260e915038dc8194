"""The timetable: stations, trains, their stops, and the travel classes, loaded from data files.

The files under ``railway/data`` are the seed: editing them changes the railway, not the code.
``load_catalog(path)`` reads a timetable of one's own instead of the seed's trains: a TOML file
of the shape of ``data/trains.toml`` (``[[trains]]`` tables), or a directory of such files,
read in name order, which may also hold a ``stations.csv`` of the seed's shape whose stations
are added to the seed's. Classes, fares and rules stay the seed's.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from soap_server.railway.clock import IST
from soap_server.railway.codes import (
    BERTH_TYPES,
    CLASS_CODES,
    STATION_CODE,
    TRAIN_NUMBER,
    WEEKDAYS,
)
from soap_server.railway.errors import (
    ClassNotOnTrain,
    SameStation,
    TrainDoesNotStop,
    TrainNotFound,
    TrainNotRunning,
    UnknownStation,
)

PREMIUM_CATEGORIES = ("RAJDHANI", "SHATABDI", "DURONTO", "VANDE_BHARAT")
STOP_QUOTAS = ("RL", "RS")  # remote location, roadside station (see data/trains.toml)


@dataclass(frozen=True)
class Station:
    code: str
    name: str
    city: str
    state: str


@dataclass(frozen=True)
class Stop:
    station: str
    arrives: time | None
    departs: time | None
    day: int
    km: int
    quota: str | None = None  # STOP_QUOTAS: the stop's own remote-location or roadside quota


@dataclass(frozen=True, eq=False)  # one instance per class: hashed by identity
class TravelClass:
    """One class of accommodation with its coach layout, quotas and fare rules."""

    code: str
    name: str
    ac: bool
    coach_prefix: str
    berths_per_coach: int
    layout: tuple[str, ...]
    rac_berths_per_coach: int
    ladies_berths: int
    senior_berths: int
    tatkal_share: float
    waitlist_limits: dict[str, int]
    per_km: Decimal
    min_km: int
    reservation_charge: Decimal
    superfast_charge: Decimal
    tatkal_share_of_base: Decimal
    tatkal_min: Decimal
    tatkal_max: Decimal

    def berth_type(self, berth: int) -> str:
        return self.layout[(berth - 1) % len(self.layout)]

    def offers(self, quota: str) -> bool:
        if quota == "GN":
            return True
        if quota == "TQ":
            return self.tatkal_share > 0
        if quota == "LD":
            return self.ladies_berths > 0
        if quota == "SS":
            return self.senior_berths > 0
        return False


@dataclass(frozen=True)
class Rules:
    """The limits that did not change over the eras; the dated rules are in ``rulebook``."""

    max_passengers: int
    min_passenger_age: int
    max_passenger_age: int
    gst_rate: Decimal  # the default fare tax when none is given (``fare_for``)


@dataclass(frozen=True, eq=False)  # one instance per train: hashed by identity
class Train:
    number: str
    name: str
    category: str
    runs_on: frozenset[int]  # weekday numbers (Monday 0) of departure from the origin
    coaches: dict[str, int]
    stops: tuple[Stop, ...]

    @cached_property
    def _index(self) -> dict[str, int]:
        return {stop.station: i for i, stop in enumerate(self.stops)}

    @property
    def superfast(self) -> bool:
        """Trains numbered 12xxx and 22xxx are superfast and pay the superfast charge."""
        return self.number[:2] in ("12", "22") or self.category in PREMIUM_CATEGORIES

    def stop_index(self, station: str) -> int | None:
        return self._index.get(station)

    def segment(self, source: str, destination: str) -> tuple[int, int]:
        """Stop indexes of a journey, or TrainDoesNotStop."""
        a, b = self.stop_index(source), self.stop_index(destination)
        if a is None or b is None:
            missing = source if a is None else destination
            raise TrainDoesNotStop(f"train {self.number} does not stop at {missing}")
        if a >= b:
            raise TrainDoesNotStop(
                f"train {self.number} does not run from {source} to {destination}"
            )
        return a, b

    def origin_date(self, journey_date: date, boarding: int) -> date:
        """The date the train left its origin, for a passenger boarding on ``journey_date``."""
        return journey_date - timedelta(days=self.stops[boarding].day - 1)

    def runs_from(self, journey_date: date, boarding: int) -> bool:
        return self.origin_date(journey_date, boarding).weekday() in self.runs_on

    def departure(self, origin_date: date, index: int) -> datetime:
        stop = self.stops[index]
        moment = stop.departs or stop.arrives
        assert moment is not None
        return datetime.combine(origin_date + timedelta(days=stop.day - 1), moment, IST)

    def arrival(self, origin_date: date, index: int) -> datetime:
        stop = self.stops[index]
        moment = stop.arrives or stop.departs
        assert moment is not None
        return datetime.combine(origin_date + timedelta(days=stop.day - 1), moment, IST)

    def distance(self, boarding: int, alighting: int) -> int:
        return self.stops[alighting].km - self.stops[boarding].km

    def runs_on_names(self) -> list[str]:
        return [WEEKDAYS[d] for d in sorted(self.runs_on)]


class Catalog:
    """Stations, trains and classes, with the lookups every call needs."""

    def __init__(
        self,
        stations: dict[str, Station],
        aliases: dict[str, str],
        trains: dict[str, Train],
        classes: dict[str, TravelClass],
        premium_factor: dict[str, Decimal],
        rules: Rules,
    ) -> None:
        self.stations = stations
        self.aliases = aliases
        self.trains = trains
        self.classes = classes
        self.premium_factor = premium_factor
        self.rules = rules
        self.source = "bundled"  # where the trains were read from (a path, or the seed)
        self._between: dict[tuple[str, str], list[tuple[Train, int, int]]] = {}
        self._by_station: dict[str, list[Train]] = {}
        for train in trains.values():
            for stop in train.stops:
                self._by_station.setdefault(stop.station, []).append(train)

    def station(self, code: str) -> Station:
        """Resolve a station code or alias (BCT is Mumbai Central, MMCT), or UnknownStation."""
        key = code.strip().upper()
        key = self.aliases.get(key, key)
        found = self.stations.get(key)
        if found is None:
            raise UnknownStation(f"unknown station code {code!r}")
        return found

    def train(self, number: str) -> Train:
        found = self.trains.get(number.strip())
        if found is None:
            raise TrainNotFound(f"no train numbered {number!r}")
        return found

    def travel_class(self, train: Train, code: str) -> TravelClass:
        if code not in train.coaches or code not in self.classes:
            raise ClassNotOnTrain(f"train {train.number} has no {code} coaches")
        return self.classes[code]

    def trains_between(self, source: str, destination: str) -> list[tuple[Train, int, int]]:
        """Trains that stop at ``source`` and later at ``destination``, by departure time."""
        if source == destination:
            raise SameStation(f"boarding and destination are both {source}")
        found = self._between.get((source, destination))
        if found is None:  # worked out once per pair: later searches cost the answer alone
            found = []
            for train in self._by_station.get(source, []):
                a, b = train.stop_index(source), train.stop_index(destination)
                if a is not None and b is not None and a < b:
                    found.append((train, a, b))
            found.sort(key=lambda t: (t[0].stops[t[1]].departs or time(0), t[0].number))
            self._between[(source, destination)] = found
        return list(found)

    def journey(
        self, number: str, source: str, destination: str, journey_date: date
    ) -> tuple[Train, int, int, date]:
        """Validate a journey: train, stops in order, runs that day. Returns the origin date too."""
        if source == destination:
            raise SameStation(f"boarding and destination are both {source}")
        train = self.train(number)
        a, b = train.segment(source, destination)
        if not train.runs_from(journey_date, a):
            days = ", ".join(train.runs_on_names())
            raise TrainNotRunning(
                f"train {train.number} does not leave {source} on {journey_date:%a %d %b %Y}"
                f" (runs from its origin on {days})"
            )
        return train, a, b, train.origin_date(journey_date, a)


def _hhmm(value: str) -> time | None:
    return time.fromisoformat(value) if value else None


def _stop(number: str, s: dict[str, Any]) -> Stop:
    quota = s.get("quota")
    if quota is not None and quota not in STOP_QUOTAS:
        raise ValueError(f"train {number} stop {s['code']}: unknown quota {quota!r}")
    return Stop(s["code"], _hhmm(s["arr"]), _hhmm(s["dep"]), int(s["day"]), int(s["km"]), quota)


def _money(value: float | int | str) -> Decimal:
    return Decimal(str(value))


class CatalogError(ValueError):
    """A timetable file that can't be read; the message names the file and the entry."""


def _read_stations(
    text: str, stations: dict[str, Station], aliases: dict[str, str], where: str
) -> None:
    for line, row in enumerate(csv.DictReader(io.StringIO(text, newline="")), start=2):
        try:
            code = row["code"].strip().upper()
            if not re.fullmatch(STATION_CODE.pattern, code):
                raise ValueError(f"station code {code!r} does not match {STATION_CODE.pattern}")
            stations[code] = Station(code, row["name"].strip(), row["city"].strip(), row["state"])
            for alias in filter(None, (a.strip().upper() for a in row["aliases"].split("|"))):
                aliases[alias] = code
        except (KeyError, AttributeError, ValueError) as error:
            raise CatalogError(f"{where} line {line}: {_reason(error)}") from None


def _reason(error: Exception) -> str:
    return f"missing {error}" if isinstance(error, KeyError) else str(error)


def _timetables(path: Path | None) -> list[tuple[str, str]]:
    """(where, TOML text) of every trains file: the seed's, or those of ``path``."""
    if path is None:
        data = resources.files("soap_server.railway") / "data"
        return [("trains.toml", (data / "trains.toml").read_text(encoding="utf-8"))]
    try:
        files = sorted(path.glob("*.toml")) if path.is_dir() else [path]
        if not files:
            raise CatalogError(f"{path}: no *.toml timetable files in the directory")
        return [(str(file), file.read_text(encoding="utf-8")) for file in files]
    except OSError as error:
        raise CatalogError(f"cannot read the timetable {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise CatalogError(f"{path}: a timetable file is not UTF-8 text") from None


def _read_trains(
    where: str, text: str, stations: dict[str, Station], classes: dict[str, TravelClass]
) -> list[Train]:
    try:
        entries = tomllib.loads(text).get("trains", [])
    except tomllib.TOMLDecodeError as error:
        raise CatalogError(f"{where}: {error}") from None
    if not isinstance(entries, list):
        raise CatalogError(f"{where}: 'trains' must be an array of tables ([[trains]])")
    trains = []
    for position, t in enumerate(entries, start=1):
        label = (
            f"{where}: train {t.get('number', f'#{position}')!s}" if isinstance(t, dict) else where
        )
        try:
            number = t["number"]
            if not isinstance(number, str) or not re.fullmatch(TRAIN_NUMBER.pattern, number):
                raise ValueError(f"number {number!r} does not match {TRAIN_NUMBER.pattern}")
            train = Train(
                number=number,
                name=t["name"],
                category=t["category"],
                runs_on=frozenset(_weekday(d) for d in t["runs_on"]),
                coaches={k: int(v) for k, v in t["coaches"].items()},
                stops=tuple(_stop(number, s) for s in t["stops"]),
            )
            _check_train(train, stations, classes)
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            raise CatalogError(f"{label}: {_reason(error)}") from None
        trains.append(train)
    return trains


def _weekday(name: str) -> int:
    if name not in WEEKDAYS:
        raise ValueError(f"runs_on: {name!r} is not one of {', '.join(WEEKDAYS)}")
    return WEEKDAYS.index(name)


def _check_train(
    train: Train, stations: dict[str, Station], classes: dict[str, TravelClass]
) -> None:
    if len(train.stops) < 2:
        raise ValueError("a train needs at least two stops")
    for stop in train.stops:
        if stop.station not in stations:
            raise ValueError(f"stop {stop.station!r} is not a known station")
    if len({stop.station for stop in train.stops}) != len(train.stops):
        raise ValueError("a station appears twice in its stops")
    if train.stops[0].departs is None or train.stops[-1].arrives is None:
        raise ValueError("the first stop needs a dep time and the last an arr time")
    if not train.runs_on:
        raise ValueError("runs_on names no day")
    for code, count in train.coaches.items():
        if code not in classes or count < 1:
            raise ValueError(f"coaches: {code!r} is not a class of classes.toml, or has no coach")


def load_catalog(path: Path | None = None) -> Catalog:
    """Read the seed data files shipped with the package; with ``path``, its trains instead of
    the seed's (a trains TOML file, or a directory of them with an optional stations.csv).

    A file that can't be read or makes no sense is a ``CatalogError`` naming it."""
    data = resources.files("soap_server.railway") / "data"
    stations: dict[str, Station] = {}
    aliases: dict[str, str] = {}
    text = (data / "stations.csv").read_text(encoding="utf-8")
    _read_stations(text, stations, aliases, "stations.csv")
    extra = None if path is None or not path.is_dir() else path / "stations.csv"
    if extra is not None and extra.is_file():
        try:
            _read_stations(extra.read_text(encoding="utf-8"), stations, aliases, str(extra))
        except (OSError, UnicodeDecodeError) as error:
            raise CatalogError(f"cannot read {extra}: {error}") from None

    spec = tomllib.loads((data / "classes.toml").read_text(encoding="utf-8"))
    classes: dict[str, TravelClass] = {}
    for code, c in spec["classes"].items():
        if code not in CLASS_CODES or not set(c["layout"]) <= set(BERTH_TYPES):
            raise ValueError(
                f"classes.toml: class {code!r} or its layout is not in railway/codes.py"
            )
        classes[code] = TravelClass(
            code=code,
            name=c["name"],
            ac=c["ac"],
            coach_prefix=c["coach_prefix"],
            berths_per_coach=c["berths_per_coach"],
            layout=tuple(c["layout"]),
            rac_berths_per_coach=c["rac_berths_per_coach"],
            ladies_berths=c["quotas"]["LD"],
            senior_berths=c["quotas"]["SS"],
            tatkal_share=c["quotas"]["TQ_share"],
            waitlist_limits=dict(c["waitlist"]),
            per_km=_money(c["fare"]["per_km"]),
            min_km=c["fare"]["min_km"],
            reservation_charge=_money(c["fare"]["reservation"]),
            superfast_charge=_money(c["fare"]["superfast"]),
            tatkal_share_of_base=_money(c["tatkal"]["share_of_base"]),
            tatkal_min=_money(c["tatkal"]["min"]),
            tatkal_max=_money(c["tatkal"]["max"]),
        )
    r = spec["rules"]
    rules = Rules(
        max_passengers=r["max_passengers"],
        min_passenger_age=r["min_passenger_age"],
        max_passenger_age=r["max_passenger_age"],
        gst_rate=_money(r["gst_rate"]),
    )
    premium = {k: _money(v) for k, v in spec["premium_fare_factor"].items()}

    trains: dict[str, Train] = {}
    for where, text in _timetables(path):
        for train in _read_trains(where, text, stations, classes):
            if train.number in trains:
                raise CatalogError(f"{where}: train {train.number} is defined twice")
            trains[train.number] = train
    if not trains:
        raise CatalogError(f"{path}: the timetable has no trains")
    catalog = Catalog(stations, aliases, trains, classes, premium, rules)
    if path is not None:
        catalog.source = str(path)
    return catalog
