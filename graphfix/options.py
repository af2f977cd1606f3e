"""An engine's settings: plain data, light to import (the cached command paths build it without
loading the engine, libcst or the rules)."""

from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    """Frozen: an engine shared by threads, tests or a server must not have its settings changed
    under it; a caller that needs other settings makes its own (`dataclasses.replace`)."""

    python: str = sys.executable
    entry: str | None = None
    timeout: float = 60.0
    flavor: str | None = None  # None: detect from the environment and the program
    backup: bool = False
    stubs: bool = True
    memory_bytes: int | None = None
    cpu_seconds: int | None = None
    run: bool = True  # False: static detection only, nothing is executed
    gpu: bool = False  # let probes see GPUs
    server: bool = False  # probe through the shared warm server (graphfix/server.py) instead of a worker of our own
    select: frozenset[str] | None = None  # fault codes to report (None: all)
    ignore: frozenset[str] = frozenset()  # fault codes never reported nor fixed
    unsafe_fixes: bool = False  # also apply verified fixes that change a model's signature (Plan.safe)
