"""graphfix benchmark: one run prints every figure and ratio issue 7 asks for.

    python bench/run.py [--files 50] [--probes 200]

1. one file: `graphfix fix f.py --diff` wall time vs. running `python f.py` twice;
2. a tree of N generated programs: `graphfix fix --jobs 2` vs. one plain run per file, sequentially;
3. static scan throughput (`graphfix check --no-run`) vs. `tf_upgrade_v2 --intree`;
4. peak memory of the warm worker and of one probe;
5. worker resident memory over many consecutive probes, with its slope (leak check);
6. a realistic script (downloads, ImageNet weights, 50 epochs) fixed offline;
7. candidate repairs: per fault of the corpus, how many candidates were probed, and the extra
   time competing candidates cost against verifying the first candidate only.

It is a benchmark, not a test: it reports numbers and ratios against the targets and never fails
on them.
"""

from __future__ import annotations

import argparse
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from graphfix.probe import ProbeRequest, Worker  # noqa: E402

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


def wall(command: list[str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


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
                    engine.options.entry = case.entry
                    started = time.perf_counter()
                    outcome = engine.fix(target)
                    times[label] += time.perf_counter() - started
                    if label == "all":
                        for item in outcome.faults:
                            probed = sum(1 for t in item.trials if t.verdict.value not in ("failed", "not tried"))
                            tried.setdefault(item.fault.code, []).append(probed)
    finally:
        engine.close()
    print(f"\n7. candidate repairs over {len(cases)} faulty corpus cases (keras3)")
    for code, counts in sorted(tried.items()):
        print(f"   {code}: {len(counts)} faults, candidates probed per fault: mean {sum(counts) / len(counts):.1f}, max {max(counts)}")
    extra = times["all"] - times["first"]
    print(f"   fix with every candidate: {times['all']:.1f} s   first candidate only: {times['first']:.1f} s   extra {extra:.1f} s ({extra / max(times['first'], 1e-9) * 100:.0f}%)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--candidates-only", action="store_true", help="only figure 7")
    args = parser.parse_args()
    if args.candidates_only:
        candidates()
        return
    graphfix = str(BIN / "graphfix")
    python = sys.executable
    print(f"machine: {platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="graphfix-bench-") as tmp:
        root = Path(tmp)
        paths = generate(root / "tree", args.files)

        one = next(p for p in paths if "disconnected" in p.read_text())
        plain_twice = wall([python, str(one)], one.parent) + wall([python, str(one)], one.parent)
        tool_one = wall([graphfix, "fix", "--diff", str(one)])
        print("\n1. one file (a GF101 program)")
        print(f"   graphfix fix --diff: {tool_one:.2f} s   python f.py twice: {plain_twice:.2f} s   ratio {tool_one / plain_twice:.2f} (target <= 0.70)")

        plain_all = sum(wall([python, str(p)], p.parent) for p in paths)
        tool_tree = wall([graphfix, "fix", "--jobs", "2", str(root / "tree")])
        print(f"\n2. {len(paths)}-file tree")
        print(f"   graphfix fix --jobs 2: {tool_tree:.1f} s   one plain run per file, sequentially: {plain_all:.1f} s   speed-up {plain_all / tool_tree:.1f}x (target >= 5x)")

        static = wall([graphfix, "check", "--no-run", str(root / "tree")])
        out = root / "upgraded"
        upgrade = wall([str(BIN / "tf_upgrade_v2"), "--intree", str(root / "tree"), "--outtree", str(out), "--reportfile", str(root / "report.txt")])
        print("\n3. static scan")
        print(f"   graphfix check --no-run: {len(paths) / static:.1f} files/s   tf_upgrade_v2 --intree: {len(paths) / upgrade:.1f} files/s   ratio {upgrade / static:.1f}x (target >= 2x)")

        with Worker() as worker:
            source = paths[0].read_text()
            request = ProbeRequest(path=str(paths[0]), source=source)
            rss: list[float] = []
            peaks: list[int] = []
            for _ in range(args.probes):
                worker.probe(request)
                rss.append(worker.last_reply["worker_rss_kib"] / 1024)
                peaks.append(worker.last_reply["probe_peak_kib"])
            print("\n4. memory")
            print(f"   warm worker resident: {rss[0]:.0f} MiB   one probe peak resident: {max(peaks) / 1024:.0f} MiB")
            print(f"\n5. worker over {args.probes} consecutive probes")
            print(f"   resident first {rss[0]:.1f} MiB, last {rss[-1]:.1f} MiB, slope {slope(rss) * 1024:.2f} KiB/probe (target: flat)")
        shutil.rmtree(out, ignore_errors=True)

        realistic = root / "realistic" / "train_vgg.py"
        realistic.parent.mkdir()
        realistic.write_text(REALISTIC)
        probe_fix = wall([graphfix, "fix", "--diff", str(realistic)])
        print("\n6. a script that loads MNIST, builds VGG16 with ImageNet weights, trains 50 epochs (offline)")
        print(f"   graphfix fix --diff (probe, fix, verifying re-probe): {probe_fix:.1f} s (target < 15 s)")
    candidates()


if __name__ == "__main__":
    main()
