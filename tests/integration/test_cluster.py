"""The cluster of ``scripts/cluster``: three app hosts behind nginx on one PostgreSQL, the Tatkal
rush played by the load generator for a bounded time, one host killed with SIGKILL mid-run.
The balancer keeps answering, the watcher takes the dead host out, the audit through the API is
clean (every acknowledged PNR present, no berth twice, waitlists gapless), and ``down`` leaves
no process of the cluster behind."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
import requests

from core_runner import cluster
from soap_client.__main__ import main as agent_main
from tests.backends import skip_reason

RUSH = Path(__file__).resolve().parents[2] / "profiles" / "rush.toml"


def test_a_rush_on_three_hosts_survives_one_killed(tmp_path: Path) -> None:
    folder = tmp_path / "cluster"
    try:
        state = cluster.up(
            folder, hosts=3, port=0, workers=1, profile=RUSH, clock="offset:2025-11-29T09:59:56"
        )
    except cluster.ClusterError as error:
        reason = skip_reason()
        if reason and ("missing" in str(error) or "binaries" in str(error)):
            pytest.skip(f"cluster test left out: {reason} ({error})")
        raise
    started = [int(h["pid"]) for h in state["hosts"]]
    try:
        base = str(state["url"]).removesuffix("/soap")
        out = StringIO()
        codes: list[int] = []
        load = threading.Thread(
            target=lambda: codes.append(
                agent_main(
                    [
                        "--url",
                        str(state["url"]),
                        "--json",
                        "load",
                        "--agents",
                        "6",
                        "--duration",
                        "14",
                        "--seed",
                        "5",
                        "--ledgers",
                        str(tmp_path / "ledgers"),
                    ],
                    stdout=out,
                )
            )
        )
        load.start()
        answers: list[int] = []
        killed = False
        begun = time.monotonic()
        while load.is_alive():
            if not killed and time.monotonic() - begun > 5:
                os.killpg(started[1], signal.SIGKILL)  # host2: its arbiter and its workers
                killed = True
            try:
                answers.append(requests.get(f"{base}/healthz", timeout=5).status_code)
            except requests.RequestException:
                answers.append(0)
            time.sleep(0.5)
        load.join()
        assert killed
        report = json.loads(out.getvalue())
        assert codes == [0], report["audit"]
        assert report["audit"]["clean"] is True
        assert report["audit"]["bookings"] > 0 and report["journeys"] > 0
        assert answers and set(answers) == {200}, answers  # the balancer never stopped answering
        upstream = (folder / "upstream.conf").read_text()
        hosts = {h["name"]: f"{h['address']}:{h['port']}" for h in state["hosts"]}
        assert f"server {hosts['host2']} max_fails=0 down;" in upstream  # the watcher's doing
        assert f"server {hosts['host1']} max_fails=0;" in upstream
    finally:
        stopped = cluster.down(folder)
    assert stopped == ["watcher", "nginx", "host1", "host2", "host3", "postgres"]
    record = json.loads((folder / "cluster.json").read_text())
    processes = [(pid, "gunicorn") for pid in started] + [
        (record["nginx"]["pid"], "nginx"),
        (record["watcher"]["pid"], "core_runner.cluster"),
        (record["postgres"]["pid"], "postgres"),
    ]
    # A process that is gone has no command line (a zombie not yet reaped has an empty one).
    assert not [pid for pid, marker in processes if cluster.alive(pid, marker)]
