"""A timetable of one's own (``serve --catalog``, ``IRCTC_CATALOG``): a trains file or a
directory of them with extra stations, served like the bundled one; a bad file is one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from soap_server.railway.catalog import CatalogError, load_catalog
from soap_server.settings import Settings
from soap_server.wsgi import build_railway
from tests.conftest import JOURNEY, core_settings, login_token
from tests.support import core_process, people, request

TRAIN = """
[[trains]]
number = "{number}"
name = "{name}"
category = "SUPERFAST"
runs_on = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]
coaches = {{ "3A" = 2, "SL" = 3 }}
stops = [
  {{ code = "{a}", arr = "",      dep = "06:00", day = 1, km = 0 }},
  {{ code = "{b}", arr = "09:00", dep = "09:05", day = 1, km = 180 }},
  {{ code = "{c}", arr = "13:00", dep = "",      day = 1, km = 400 }},
]
"""


def train(number: str, a: str = "NDLS", b: str = "AGC", c: str = "BPL", name: str = "Test") -> str:
    return TRAIN.format(number=number, name=name, a=a, b=b, c=c)


def test_a_trains_file_replaces_the_bundled_trains(tmp_path: Path) -> None:
    timetable = tmp_path / "trains.toml"
    timetable.write_text(train("11001", name="Morning Express") + train("11002", c="JHS"))
    catalog = load_catalog(timetable)
    assert sorted(catalog.trains) == ["11001", "11002"]
    assert catalog.source == str(timetable)
    settings = core_settings(tmp_path / "core.sqlite3", catalog=catalog)
    railway = build_railway(settings)
    try:
        token = login_token(railway)
        found = railway.search(token, "NDLS", "AGC", JOURNEY)
        assert [o.number for o in found] == ["11001", "11002"]
        assert [c.class_code for c in found[0].classes] == ["3A", "SL"]
        view = railway.book(
            token,
            request(
                train="11001", source="NDLS", destination="BPL", cls="SL", passengers=people(2)
            ),
        )
        assert all(p.booking_status.startswith("CNF/S") for p in view.passengers)
        assert railway.search(token, "NDLS", "BPL", JOURNEY, "SL")[0].classes[0].available == (
            found[0].classes[1].available - 2
        )
    finally:
        railway.close()


def test_a_directory_of_files_with_its_own_stations(tmp_path: Path) -> None:
    folder = tmp_path / "timetable"
    folder.mkdir()
    (folder / "stations.csv").write_text(
        "code,name,city,state,aliases\nQRS,Quarry Road,Quarry,Goa,QRD\nTUV,Tuvar,Tuvar,Goa,\n"
    )
    (folder / "a.toml").write_text(train("11001", a="QRS", b="TUV", c="NDLS"))
    (folder / "b.toml").write_text(train("11002"))
    (folder / "notes.txt").write_text("not a timetable")
    catalog = load_catalog(folder)
    assert sorted(catalog.trains) == ["11001", "11002"]
    assert catalog.station("qrd").code == "QRS"
    assert catalog.station("MMCT").name  # the bundled stations stay
    assert [t.number for t, _, _ in catalog.trains_between("QRS", "NDLS")] == ["11001"]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        pytest.param("[[trains]\n", "trains.toml: ", id="not-toml"),
        pytest.param(train("1100"), "number '1100' does not match", id="bad-number"),
        pytest.param(train("11001", b="XYZZY"), "'XYZZY' is not a known station", id="station"),
        pytest.param(train("11001") + train("11001"), "11001 is defined twice", id="twice"),
        pytest.param(train("11001").replace('"SL"', '"ZZ"'), "'ZZ' is not a class", id="class"),
        pytest.param(train("11001").replace('"MON"', '"MONDAY"'), "'MONDAY'", id="day"),
        pytest.param(train("11001").replace("09:05", "9h05"), "train 11001", id="time"),
        pytest.param(train("11001").replace(", km = 180", ""), "missing 'km'", id="missing-key"),
        pytest.param("# nothing here\n", "has no trains", id="empty"),
    ],
)
def test_a_bad_timetable_names_its_file_and_train(
    tmp_path: Path, content: str, needle: str
) -> None:
    timetable = tmp_path / "trains.toml"
    timetable.write_text(content)
    with pytest.raises(CatalogError) as caught:
        load_catalog(timetable)
    assert str(timetable) in str(caught.value)
    assert needle in str(caught.value)


def test_serve_with_a_bad_or_missing_catalog_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(train("11001", b="XYZZY"))
    for path, needle in ((bad, "is not a known station"), (tmp_path / "none", "cannot read")):
        done = subprocess.run(
            [sys.executable, "-m", "soap_server", "serve", "--port", "0", "--catalog", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: --catalog: "), done.stderr
        assert needle in lines[0]


def test_serve_answers_from_the_catalog_it_was_given(tmp_path: Path) -> None:
    timetable = tmp_path / "trains.toml"
    timetable.write_text(train("11001"))
    db = tmp_path / "core.sqlite3"
    args = ("--db", str(db), "--clock", "fixed:2025-11-20T09:00", "--quiet", "--demo")
    with core_process(*args, "--catalog", str(timetable), lines=4) as (base, banner):
        assert f"timetable: {timetable} (1 trains)" in banner
        health = requests.get(f"{base}/healthz", timeout=10).json()  # demo mode: the details
        assert health["demo"]["timetable"] == {"source": str(timetable), "trains": 1}
        session = requests.post(
            f"{base}/rest/v1/sessions",
            data=json.dumps({"agent": "MMT", "password": "mmt-secret-2008"}),
            headers={"Content-Type": "application/json"},
            timeout=30,
        ).json()
        found = requests.get(
            f"{base}/rest/v1/trains",
            params={"from": "NDLS", "to": "BPL", "date": "2025-11-30"},
            headers={"Authorization": f"Bearer {session['token']}"},
            timeout=10,
        ).json()
        assert [t["number"] for t in found["trains"]] == ["11001"]


def test_the_gunicorn_factory_reads_the_catalog_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from soap_server.wsgi import from_environment

    timetable = tmp_path / "trains.toml"
    timetable.write_text(train("11001") + train("11002"))
    monkeypatch.setenv("IRCTC_DB", str(tmp_path / "core.sqlite3"))
    monkeypatch.setenv("IRCTC_CATALOG", str(timetable))
    app = from_environment()
    try:
        assert sorted(app.railway.catalog.trains) == ["11001", "11002"]
    finally:
        app.close()
    assert isinstance(app.settings, Settings) and app.settings.catalog is not None
