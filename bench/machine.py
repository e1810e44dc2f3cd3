"""What a benchmark ran on, for the lines it prints before its figures, and how it times a method."""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Mapping
from importlib import metadata


def version(distribution: str) -> str:
    """An installed distribution's version, or "not installed"."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def python_and_system() -> str:
    """E.g. ``Python 3.12.3 (CPython), Linux x86_64``."""
    return (f"Python {platform.python_version()} ({platform.python_implementation()}), "
            f"{platform.system()} {platform.machine()}")


MIN_RUNS, MAX_RUNS = 5, 5000  # every timed method runs at least this often, at most this often


def measure(methods: Mapping[str, Callable[[bytes], object]], data: bytes, seconds: float) -> dict[str, list[float]]:
    """Seconds per call of each method, for as many rounds as fit in ``seconds`` per method (bounded
    both ways), after one warm-up call each (imports, regex and schema compilation, caches).

    The methods take turns, one call each per round, so ours and the peer's share whatever else the
    machine is doing at the time: on a shared machine a ratio of medians measured in alternation
    holds even when the absolute figures drift."""
    for function in methods.values():
        function(data)
    times: dict[str, list[float]] = {label: [] for label in methods}
    deadline = time.perf_counter() + seconds * len(methods)
    rounds = 0
    while rounds < MIN_RUNS or (rounds < MAX_RUNS and time.perf_counter() < deadline):
        for label, function in methods.items():
            begin = time.perf_counter()
            function(data)
            times[label].append(time.perf_counter() - begin)
        rounds += 1
    return times


def worker_gc() -> str:
    """Run with the garbage-collector settings of the gateway's validation workers
    (``gateway.processing.init_worker``), for every method timed, ours and the peer's alike: that is
    how validation runs in production. Returns the line the benchmark prints about it."""
    from gateway.processing import init_worker  # noqa: PLC0415 - only the benchmarks that time validation need it

    init_worker()
    return "gc as in the validation workers (gateway.processing.init_worker), for every method"
