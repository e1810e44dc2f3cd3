"""What a benchmark ran on, for the lines it prints before its figures."""

from __future__ import annotations

import platform
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
