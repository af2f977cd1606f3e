"""Real-world-style programs (tests/realprograms/*.py) checked one by one: seconds per program,
faults reported (a correct program should have none), where it stopped, and the stubs used.

    python bench/realprograms.py [PROGRAM ...]

A benchmark, not a test: it reports and never fails on the figures."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from graphfix.engine import Engine, Options
from graphfix.registry import discover

FOLDER = Path(__file__).resolve().parent.parent / "tests" / "realprograms"


def main(argv: list[str]) -> None:
    programs = [Path(a) for a in argv] or sorted(FOLDER.glob("*.py"))
    engine = Engine(discover(), Options(timeout=60))
    try:
        engine.worker("keras3")  # started before the clock: a warm worker, as the server keeps
        for program in programs:
            start = time.perf_counter()
            outcome = engine.check(program)
            seconds = time.perf_counter() - start
            faults = ", ".join(f.fault.code for f in outcome.faults) or "none"
            stop = outcome.error or outcome.program_error or "ran to the end"
            print(f"{program.name:32} {seconds:6.1f} s  faults: {faults}  {stop}")
            for note in outcome.notes:
                print(f"{'':34}{note}")
    finally:
        engine.close()


if __name__ == "__main__":
    main(sys.argv[1:])
