"""How many scripts of the legacy tree run under TF 2.21 / Keras 3 after each tool:
nothing, TensorFlow's own `tf_upgrade_v2 --intree`, and `graphfix fix --apply`.

    python bench/legacy_tree.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "corpus" / "legacy_tree" / "project"
BIN = Path(sys.executable).parent
LIBRARY = {"config.py", "common.py", "models.py"}


def runs(project: Path) -> tuple[int, int]:
    scripts = sorted(p for p in project.glob("*.py") if p.name not in LIBRARY)
    ok = 0
    for script in scripts:
        result = subprocess.run([sys.executable, script.name], cwd=project, capture_output=True, timeout=300)
        ok += result.returncode == 0
    return ok, len(scripts)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="graphfix-legacy-") as tmp:
        root = Path(tmp)
        untouched = root / "untouched"
        shutil.copytree(ROOT, untouched)
        upgraded = root / "tf_upgrade_v2"
        subprocess.run(
            [str(BIN / "tf_upgrade_v2"), "--intree", str(untouched), "--outtree", str(upgraded), "--reportfile", str(root / "report.txt")],
            capture_output=True,
            check=True,
        )
        fixed = root / "graphfix"
        shutil.copytree(ROOT, fixed)
        subprocess.run([str(BIN / "graphfix"), "fix", "--apply", str(fixed)], capture_output=True)
        for label, project in (("as written", untouched), ("after tf_upgrade_v2", upgraded), ("after graphfix fix --apply", fixed)):
            ok, total = runs(project)
            print(f"{label:28s} {ok}/{total} scripts run under TF 2.21 with Keras 3")


if __name__ == "__main__":
    main()
