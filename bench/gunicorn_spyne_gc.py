"""gunicorn configuration for bench/bench_http.py's "before": each worker, once it has loaded
the app (which switches Spyne's forced collections off), puts Spyne's default back: a full
``gc.collect()`` when a call closes, at most once a second (``spyne/context.py``)."""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    import spyne.const

    spyne.const.MIN_GC_INTERVAL = 1.0
