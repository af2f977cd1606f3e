"""How many scripts of a legacy tree run under TF 2.21 / Keras 3 after each tool: nothing,
TensorFlow's own `tf_upgrade_v2 --intree`, and one `graphfix fix --apply` on the tree.

    python bench/legacy_tree.py [--tree legacy_tree|legacy_scripts] [--verbose]

`legacy_tree` is the small tree of per-layer activation readers (GF2xx shapes, checked against
reference activations elsewhere); `legacy_scripts` is the migration tree: a GAN collection, a TF1
tutorial series and research code with helper modules, written in 2017-2019 styles. Each script
runs with its own folder as working directory; MNIST is a small synthetic archive given to the
loader Keras uses (a `sitecustomize` on the scripts' PYTHONPATH answers `mnist.load_data`, whose
download is checked by hash), so no script downloads anything.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
BIN = Path(sys.executable).parent
TREES = {
    "legacy_tree": (CORPUS / "legacy_tree" / "project", {"config.py", "common.py", "models.py"}),
    "legacy_scripts": (CORPUS / "legacy_scripts", {"data_loader.py", "utils.py"}),
}


def scripts(project: Path, library: set[str]) -> list[Path]:
    return sorted(p for p in project.rglob("*.py") if p.name not in library)


def last_error(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line and not line.startswith((" ", "\t"))]
    return lines[-1][:160] if lines else ""


def run_all(project: Path, library: set[str], env: dict[str, str]) -> dict[str, str]:
    """Each script's relative path -> "" when it ran, else its last error line."""
    results: dict[str, str] = {}
    for script in scripts(project, library):
        try:
            done = subprocess.run(
                [sys.executable, script.name], cwd=script.parent, capture_output=True, text=True, timeout=300, env=env
            )
            results[str(script.relative_to(project))] = "" if done.returncode == 0 else last_error(done.stderr)
        except subprocess.TimeoutExpired:
            results[str(script.relative_to(project))] = "timeout"
    return results


SITECUSTOMIZE = """import importlib.abc, importlib.util, os, sys


class _SyntheticMnist(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "keras.src.datasets.mnist":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        loader_exec = spec.loader.exec_module

        def exec_module(module):
            loader_exec(module)

            def load_data(path="mnist.npz"):
                import numpy as np
                with np.load(os.environ["LEGACY_MNIST"]) as f:
                    return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])

            module.load_data = load_data

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _SyntheticMnist())
"""


def synthetic_mnist(folder: Path) -> dict[str, str]:
    """A small MNIST-shaped archive, and the environment under which Keras's loader returns it."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for split, rows in (("train", 1024), ("test", 256)):
        arrays[f"x_{split}"] = rng.integers(0, 256, (rows, 28, 28), dtype=np.uint8)
        arrays[f"y_{split}"] = rng.integers(0, 10, rows, dtype=np.uint8)
    np.savez(folder / "mnist.npz", **arrays)
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE)
    return {"LEGACY_MNIST": str(folder / "mnist.npz"), "PYTHONPATH": str(folder)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", choices=sorted(TREES), default="legacy_scripts")
    parser.add_argument("--verbose", action="store_true", help="each script's result and last error line")
    args = parser.parse_args()
    source, library = TREES[args.tree]
    with tempfile.TemporaryDirectory(prefix="graphfix-legacy-") as tmp:
        root = Path(tmp)
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        script_env = dict(env, **synthetic_mnist(root / "mnist"))
        untouched = root / "untouched"
        shutil.copytree(source, untouched)
        upgraded = root / "tf_upgrade_v2"
        subprocess.run(
            [str(BIN / "tf_upgrade_v2"), "--intree", str(untouched), "--outtree", str(upgraded), "--reportfile", str(root / "report.txt")],
            capture_output=True,
            env=env,
        )
        fixed = root / "graphfix"
        shutil.copytree(source, fixed)
        # a longer probe clock than the default 60 s: the bench runs the probes two at a time on a shared machine
        report = subprocess.run(
            [str(BIN / "graphfix"), "fix", "--apply", "--timeout", "180", str(fixed)], capture_output=True, text=True, env=env
        ).stderr
        for label, project in (("as written", untouched), ("after tf_upgrade_v2", upgraded), ("after graphfix fix --apply", fixed)):
            results = run_all(project, library, script_env) if project.exists() else {}
            ok = sum(not error for error in results.values())
            print(f"{label:28s} {ok}/{len(scripts(source, library))} scripts run under TF 2.21 with Keras 3")
            if args.verbose:
                for name, error in results.items():
                    print(f"    {'runs' if not error else 'stops'}  {name}  {error}")
        if args.verbose:
            print("graphfix's tree report:")
            for line in report.splitlines():
                if line.startswith(("programs:", "fixes by code:", "still stops:")):
                    print("    " + line.replace(str(fixed) + "/", ""))


if __name__ == "__main__":
    main()
