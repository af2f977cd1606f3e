"""graphfix benchmark: one run prints every speed figure of issue 19, each as a ratio against
plain runs (`python f.py`) measured in the same run, with the raw seconds beside it.

    python bench/run.py [--quick] [--files 20] [--probes 200] [--extra] [--candidates]

1. one faulty file, `graphfix fix --diff` with the server warm (no cache) vs. `python f.py` twice
   (target <= 0.5x);
2. `graphfix check` of a small file with the server warm vs. cold (--no-server), no cache
   (targets: under 1.5 s, >= 3x faster than cold);
3. a tree of N generated programs, `graphfix fix --jobs 2` (server warm, no cache) vs. one plain
   run per file, sequentially (target >= 5x);
4. the unchanged tree checked again from the result cache (target < 1 s);
5. memory over many consecutive probes of a tiny model (target: flat): of a worker of our own,
   and at the same time of the warm server's workers and of the server itself, each probe there
   a whole `check` by the server's engine; and the probe cost per candidate: the seconds one
   more probe of a warm worker costs (a candidate repair is verified by one probe) against a
   plain run.
--extra adds the static scan against tf_upgrade_v2 and a realistic VGG16 script fixed offline;
--candidates adds, per fault code of the corpus, how many candidates were probed and what
competing candidates cost against verifying the first only (slow).

Each timing is the median of several repetitions (one with --quick). Commands run with a
bytecode cache of their own (PYTHONPYCACHEPREFIX in the bench's temporary directory, filled by a
warm-up run), as an installed graphfix has. It is a benchmark, not a test: it reports numbers and
never fails on them. On a shared machine the absolute figures are noisy; the ratios less so.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # graphfix is imported in functions: after `snapshot`

if TYPE_CHECKING:
    from graphfix.probe import ProbeRequest, Worker

BIN = Path(sys.executable).parent

HEADER = '''"""Generated benchmark program {index}: {kind}."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

rng = np.random.default_rng({index})
features = rng.random((64, {dim})).astype("float32")
targets = rng.random((64, 1)).astype("float32")


def summarize(model):
    """Count parameters the way a training script would log them."""
    total = 0
    for weight in model.weights:
        total += int(np.prod(weight.shape))
    return total
'''

BODIES = {
    "disconnected": '''
inputs = keras.Input(shape=({dim},))
hidden = layers.Dense({width}, activation="relu")(inputs)
code = layers.Dense({code}, activation="relu")(hidden)
code_in = keras.Input(shape=({code},))
out = layers.Dense(1)(layers.Dense({width}, activation="relu")(code_in))
model = keras.Model(inputs, out)
model.compile(optimizer="adam", loss="mse")
model.fit(features, targets, epochs=2, batch_size=16, verbose=0)
print(summarize(model))
''',
    "dead_branch": '''
inputs = keras.Input(shape=({dim},))
hidden = layers.Dense({width}, activation="relu")(inputs)
code = layers.Dense({code}, activation="relu")(hidden)
out = layers.Dense(1)(hidden)
model = keras.Model(inputs, out)
model.compile(optimizer="adam", loss="mse")
model.fit(features, targets, epochs=2, batch_size=16, verbose=0)
print(summarize(model))
''',
    "unbuilt": '''
model = keras.Sequential([layers.Dense({width}, activation="relu", name="hidden"), layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(features, targets, epochs=2, batch_size=16, verbose=0)
probe = keras.Model(model.input, model.get_layer("hidden").output)
print(probe.predict(features[:2], verbose=0).shape, summarize(model))
''',
    "clean": '''
inputs = keras.Input(shape=({dim},))
hidden = layers.Dense({width}, activation="relu")(inputs)
code = layers.Dense({code}, activation="relu")(hidden)
out = layers.Dense(1)(code)
model = keras.Model(inputs, out)
model.compile(optimizer="adam", loss="mse")
model.fit(features, targets, epochs=2, batch_size=16, verbose=0)
print(summarize(model))
''',
}


def generate(directory: Path, count: int) -> list[Path]:
    """A tree of `count` programs: a third clean, the rest spread over the faults."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    kinds = ["clean", "disconnected", "dead_branch", "unbuilt", "clean", "clean"]
    paths = []
    for index in range(count):
        kind = kinds[index % len(kinds)]
        values = {"index": index, "kind": kind, "dim": rng.choice([8, 16, 32]), "width": rng.choice([16, 32]), "code": rng.choice([4, 6])}
        sub = directory / f"pkg{index % 5}"
        sub.mkdir(exist_ok=True)
        path = sub / f"train_{index:03d}.py"
        path.write_text(HEADER.format(**values) + BODIES[kind].format(**values))
        paths.append(path)
    return paths


REALISTIC = """import numpy as np
import tensorflow as tf
from tensorflow import keras

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = np.stack([x_train] * 3, -1).astype("float32") / 255.0
x_train = tf.image.resize(x_train, (32, 32)).numpy()
base = keras.applications.VGG16(weights="imagenet", include_top=False, input_shape=(32, 32, 3))
base.trainable = False
inputs = keras.Input(shape=(32, 32, 3))
pooled = keras.layers.GlobalAveragePooling2D()(base(inputs))
latent = keras.Input(shape=(512,))
outputs = keras.layers.Dense(10, activation="softmax")(latent)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
checkpoint = keras.callbacks.ModelCheckpoint("best.keras", save_best_only=True)
model.fit(x_train, y_train, epochs=50, batch_size=32, validation_split=0.1, callbacks=[checkpoint])
model.save("final.keras")
"""


ENV: dict[str, str] = dict(os.environ)


def wall(command: list[str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def median(command: list[str], repeat: int, cwd: Path | None = None) -> float:
    return statistics.median(wall(command, cwd) for _ in range(repeat))


def slope(values: list[float]) -> float:
    n = len(values)
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    numerator = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
    denominator = sum((i - mean_x) ** 2 for i in range(n))
    return numerator / denominator if denominator else 0.0


def candidates() -> None:
    """Fix every faulty corpus case (keras3) twice in one warm engine: with every candidate, and
    with only the first candidate of each fault; report candidates per fault and the extra time."""
    import graphfix.engine as engine_module
    from graphfix.corpus import load_cases
    from graphfix.engine import Engine, Options
    from graphfix.registry import discover

    cases = [c for c in load_cases() if not c.clean and "keras3" in c.flavors]
    engine = Engine(discover(), Options(flavor="keras3"))
    tried: dict[str, list[int]] = {}
    times = {"all": 0.0, "first": 0.0}
    try:
        with tempfile.TemporaryDirectory(prefix="graphfix-bench-") as tmp:
            for cap, label in ((engine_module.MAX_CANDIDATES, "all"), (1, "first")):
                engine_module.MAX_CANDIDATES = cap
                for case in cases:
                    target = Path(tmp) / "program.py"
                    shutil.copyfile(case.directory / "program.py", target)
                    engine.options = replace(engine.options, entry=case.entry)
                    started = time.perf_counter()
                    outcome = engine.fix(target)
                    times[label] += time.perf_counter() - started
                    if label == "all":
                        for item in outcome.faults:
                            probed = sum(1 for t in item.trials if t.verdict.value not in ("failed", "not tried"))
                            tried.setdefault(item.fault.code, []).append(probed)
    finally:
        engine.close()
    print(f"\n8. candidate repairs over {len(cases)} faulty corpus cases (keras3)")
    for code, counts in sorted(tried.items()):
        print(f"   {code}: {len(counts)} faults, candidates probed per fault: mean {sum(counts) / len(counts):.1f}, max {max(counts)}")
    extra = times["all"] - times["first"]
    print(f"   fix with every candidate: {times['all']:.1f} s   first candidate only: {times['first']:.1f} s   extra {extra:.1f} s ({extra / max(times['first'], 1e-9) * 100:.0f}%)")


def snapshot(root: Path) -> None:
    """A copy of graphfix's code as it is at the start, which the whole run imports (this
    process through sys.path, its commands through PYTHONPATH): edits made to the working tree
    while the bench runs change neither what is measured nor the servers' identity (a changed
    graphfix gets a new server, which would start cold in the middle of a figure)."""
    code = root / "code"
    for package in ("graphfix", "codemods"):
        shutil.copytree(HERE.parent / package, code / package, ignore=shutil.ignore_patterns("__pycache__"))
    (code / "corpus").symlink_to(HERE.parent / "corpus")
    sys.path.insert(0, str(code))
    ENV["PYTHONPATH"] = os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(code), os.environ.get("PYTHONPATH", "")) if p)


def own_servers(root: Path) -> None:
    """Probe servers of the bench's own (started by its first command, stopped at the end):
    no other user of the machine's servers shares their workers."""
    directory = root / "run"
    directory.mkdir(mode=0o700)
    ENV["XDG_RUNTIME_DIR"] = os.environ["XDG_RUNTIME_DIR"] = str(directory)


def stop_servers() -> None:
    from graphfix.server import ask, servers

    for path, status in servers():
        if status is not None:
            ask(path, "stop")


def load() -> str:
    """The machine's load (1 and 5 minutes): other work on the cores shows in every figure."""
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}"


def figure(label: str, tool: float, plain: float, target: str) -> None:
    print(f"   {label}: {tool:.2f} s   plain: {plain:.2f} s   ratio {tool / plain:.2f}x, speed-up {plain / tool:.1f}x ({target})")


TINY = '''"""A tiny model: what figure 5 probes over and over (the worker's memory is its own,
whatever its forked children run)."""
from tensorflow import keras

inputs = keras.Input(shape=(8,))
outputs = keras.layers.Dense(1)(keras.layers.Dense(4, activation="relu")(inputs))
model = keras.Model(inputs, outputs)
'''


def memory(directory: Path, program: Path, probes: int, python: str) -> None:
    """Figure 5: over `probes` consecutive probes of a tiny model, the resident memory of a
    worker of our own and, at the same time (the loops wait on their workers, two cores serve
    both), of the warm server's workers and the server itself, each probe there a whole `check`
    by the server's engine; then the probe cost per candidate: one more probe of `program` by a
    warm worker against a plain run of it."""
    from graphfix.options import Options
    from graphfix.probe import ProbeRequest, Worker
    from graphfix.server import ServerWorker, ask, run_in_server

    tiny = directory / "tiny_model.py"
    tiny.parent.mkdir(parents=True, exist_ok=True)
    tiny.write_text(TINY)
    request = ProbeRequest(path=str(tiny), source=TINY)
    own: list[float] = []
    peaks: list[int] = []

    with Worker() as worker:

        def own_loop() -> None:
            for _ in range(probes):
                worker.probe(request)
                own.append(worker.last_reply["worker_rss_kib"] / 1024)
                peaks.append(worker.last_reply["probe_peak_kib"])

        started = time.perf_counter()
        thread = threading.Thread(target=own_loop)
        thread.start()
        server = ServerWorker(python=python, flavor="keras3")
        server.start()
        options = Options(python=python, flavor="keras3", server=True)
        served: list[float] = []
        server_rss: list[float] = []
        for _ in range(probes):
            run_in_server(tiny, "check", options, TINY)
            status = ask(server.path, "status") or {}
            served.append(max((kib or 0) for kib in status.get("worker_rss_kib", [0]) or [0]) / 1024)
            server_rss.append((status.get("rss_kib") or 0) / 1024)
        thread.join()
        loops = time.perf_counter() - started
        source = program.read_text()
        per_probe = statistics.median(_timed(worker, ProbeRequest(path=str(program), source=source)) for _ in range(5))
    plain = median([python, str(program)], 3, program.parent)
    print(f"\n5. memory over {probes} consecutive probes of a tiny model (both loops at once: {loops:.0f} s; {load()})")
    print(f"   own worker: resident first {own[0]:.1f} MiB, last {own[-1]:.1f} MiB, max {max(own):.1f} MiB, slope {slope(own) * 1024:.2f} KiB/probe (target: flat); one probe's peak {max(peaks) / 1024:.0f} MiB")
    print(f"   server's workers (a check each): resident first {served[0]:.1f} MiB, last {served[-1]:.1f} MiB, max {max(served):.1f} MiB, slope {slope(served) * 1024:.2f} KiB/probe (target: flat)")
    print(f"   the server itself (engine and rules): first {server_rss[0]:.1f} MiB, last {server_rss[-1]:.1f} MiB, slope {slope(server_rss) * 1024:.2f} KiB/check (target: flat)")
    print(f"   probe cost per candidate (one fork of a warm worker, {program.name} run to its end): {per_probe:.2f} s   plain run: {plain:.2f} s   ratio {per_probe / plain:.2f}x")


def _timed(worker: Worker, request: ProbeRequest) -> float:
    started = time.perf_counter()
    worker.probe(request)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="one repetition per timing, plain runs of 5 files scaled to the tree, 50 probes")
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--probes", type=int, default=None, help="default 200 (50 with --quick)")
    parser.add_argument("--extra", action="store_true", help="also the static scan against tf_upgrade_v2 and the realistic VGG16 script")
    parser.add_argument("--candidates", action="store_true", help="also the candidate figure over the corpus (slow)")
    parser.add_argument("--candidates-only", action="store_true", help="only the candidate figure")
    parser.add_argument("--memory-only", action="store_true", help="only figure 5 (memory and probe cost)")
    args = parser.parse_args()
    if args.candidates_only:
        candidates()
        return
    if args.memory_only:
        with tempfile.TemporaryDirectory(prefix="graphfix-bench-") as tmp:
            snapshot(Path(tmp))
            own_servers(Path(tmp))
            memory(Path(tmp), generate(Path(tmp) / "tree", 1)[0], args.probes or 200, sys.executable)
            stop_servers()
        return
    began = time.perf_counter()
    repeat = 1 if args.quick else 3
    probes = args.probes or (50 if args.quick else 200)
    graphfix = str(BIN / "graphfix")
    python = sys.executable
    print(f"machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores, load {os.getloadavg()[0]:.1f}, Python {platform.python_version()}, {'quick' if args.quick else 'full'} run")
    with tempfile.TemporaryDirectory(prefix="graphfix-bench-") as tmp:
        root = Path(tmp)
        ENV.pop("PYTHONDONTWRITEBYTECODE", None)
        ENV.pop("GRAPHFIX_NO_SERVER", None)
        ENV.pop("GRAPHFIX_NO_CACHE", None)
        ENV["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        ENV["GRAPHFIX_CACHE_DIR"] = str(root / "cache")
        snapshot(root)
        own_servers(root)
        tree = root / "tree"
        paths = generate(tree, args.files)
        one = next(p for p in paths if "disconnected" in p.read_text())
        small = next(p for p in paths if "clean" in p.read_text())
        # warm-up: bytecode for both sides, and a warm server (graphfix's first use starts it)
        wall([python, str(small)], small.parent)
        wall([graphfix, "check", "--no-cache", str(small)])
        wall([graphfix, "check", "--no-cache", "--no-server", str(small)])

        plain_one = median([python, str(one)], repeat, one.parent)
        tool_one = median([graphfix, "fix", "--diff", "--no-cache", str(one)], repeat)
        print(f"\n1. one faulty file (GF101), a verified fix ({load()})")
        figure("graphfix fix --diff, server warm", tool_one, 2 * plain_one, "plain: python f.py twice; target <= 0.5x")

        warm = median([graphfix, "check", "--no-cache", str(small)], repeat)
        cold = median([graphfix, "check", "--no-cache", "--no-server", str(small)], repeat)
        plain_small = median([python, str(small)], repeat, small.parent)
        print(f"\n2. graphfix check of a small file ({load()})")
        print(f"   server warm: {warm:.2f} s (target < 1.5 s)   cold (--no-server): {cold:.2f} s   warm is {cold / warm:.1f}x faster (target >= 3x)   plain run: {plain_small:.2f} s")

        sample = paths[:5] if args.quick else paths
        plain_tree = sum(wall([python, str(p)], p.parent) for p in sample) * len(paths) / len(sample)
        tool_tree = median([graphfix, "fix", "--no-cache", "--jobs", "2", str(tree)], repeat)
        print(f"\n3. {len(paths)}-file tree" + (" (plain runs of 5 files, scaled)" if args.quick else "") + f" ({load()})")
        figure("graphfix fix --jobs 2, server warm", tool_tree, plain_tree, "plain: one run per file, sequentially; target speed-up >= 5x")

        wall([graphfix, "fix", str(tree)])  # fills the cache
        wall([graphfix, "check", str(tree)])
        cached_fix = median([graphfix, "fix", str(tree)], max(repeat, 3))
        cached_check = median([graphfix, "check", str(tree)], max(repeat, 3))
        print(f"\n4. the unchanged {len(paths)}-file tree again, from the result cache ({load()})")
        print(f"   graphfix check: {cached_check:.2f} s   graphfix fix: {cached_fix:.2f} s (target < 1 s)   plain runs of the tree: {plain_tree:.1f} s")

        memory(root, small, probes, python)

        if args.extra:
            extra(root, paths, graphfix)
        stop_servers()
    print(f"\nend: {load()}, {time.perf_counter() - began:.0f} s in all")
    if args.candidates:
        candidates()


def extra(root: Path, paths: list[Path], graphfix: str) -> None:
    static = wall([graphfix, "check", "--no-run", str(root / "tree")])
    out = root / "upgraded"
    upgrade = wall([str(BIN / "tf_upgrade_v2"), "--intree", str(root / "tree"), "--outtree", str(out), "--reportfile", str(root / "report.txt")])
    print("\n6. static scan")
    print(f"   graphfix check --no-run: {len(paths) / static:.1f} files/s   tf_upgrade_v2 --intree: {len(paths) / upgrade:.1f} files/s   ratio {upgrade / static:.1f}x (target >= 2x)")
    realistic = root / "realistic" / "train_vgg.py"
    realistic.parent.mkdir()
    realistic.write_text(REALISTIC)
    probe_fix = wall([graphfix, "fix", "--diff", "--no-cache", str(realistic)])
    print("\n7. a script that loads MNIST, builds VGG16 with ImageNet weights, trains 50 epochs (offline)")
    print(f"   graphfix fix --diff (probe, fix, verifying re-probe): {probe_fix:.1f} s (target < 15 s)")


if __name__ == "__main__":
    main()
