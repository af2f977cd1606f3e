"""Real-world-style programs (tests/realprograms/*.py) checked one by one: seconds per program,
faults reported (a correct program should have none), where it stopped, and the stubs used; with
--variants, each program's faulty variant (tests/test_realprograms.py) fixed too: seconds, the
fault found and whether its fix was verified.

    python bench/realprograms.py [--variants] [PROGRAM ...]

A benchmark, not a test: it reports and never fails on the figures."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from graphfix.engine import Engine, Options
from graphfix.registry import discover

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "tests" / "realprograms"
LIMIT = 15.0  # seconds a program's check should take (issue 17)


def main(argv: list[str]) -> None:
    variants = "--variants" in argv
    programs = [Path(a) for a in argv if a != "--variants"] or sorted(FOLDER.glob("*.py"))
    engine = Engine(discover(), Options(timeout=60))
    times: list[float] = []
    try:
        with tempfile.TemporaryDirectory() as folder:  # a warm worker and rules before the clock, as the server keeps
            warm = Path(folder) / "warm.py"
            warm.write_text("import keras\n")
            engine.check(warm)
        for program in programs:
            start = time.perf_counter()
            outcome = engine.check(program)
            seconds = time.perf_counter() - start
            times.append(seconds)
            faults = ", ".join(f.fault.code for f in outcome.faults) or "none"
            stop = outcome.error or outcome.program_error or "ran to the end"
            print(f"{program.name:32} {seconds:6.1f} s  faults: {faults}  {stop}")
            for note in outcome.notes:
                print(f"{'':34}{note}")
        print(f"{len(times)} programs: {sum(times):.1f} s in all, slowest {max(times, default=0):.1f} s,"
              f" {sum(t < LIMIT for t in times)} under {LIMIT:g} s")
        if variants:
            sys.path.insert(0, str(ROOT / "tests"))
            from test_realprograms import VARIANTS, variant

            for program in programs:
                if program.name not in VARIANTS:
                    continue
                start = time.perf_counter()
                outcome = engine.fix(FOLDER / program.name, text=variant(program.name))
                seconds = time.perf_counter() - start
                found = ", ".join(f"{f.fault.code} {f.state.value}" for f in outcome.faults) or "none"
                print(f"variant {program.name:24} {seconds:6.1f} s  expected {VARIANTS[program.name][0]}, found: {found}")
    finally:
        engine.close()


if __name__ == "__main__":
    main(sys.argv[1:])
