"""Notebooks: code cells probed in order, faults by cell, fixes written back with everything
else in the notebook kept."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from click.testing import CliRunner
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from graphfix.cli import main
from graphfix.notebook import split_cells, to_script

IMPORTS = "%matplotlib inline\n!pip install -q numpy\nimport numpy as np\nimport tensorflow as tf"
ENCODER = "image = tf.keras.Input(shape=(28, 28))\nflat = tf.keras.layers.Flatten()(image)\ncode = tf.keras.layers.Dense(16, activation='relu')(flat)"
DECODER = "seed = tf.keras.Input(shape=(16,))\nrestored = tf.keras.layers.Dense(784)(seed)\nrestored = tf.keras.layers.Reshape((28, 28))(restored)"
MODEL = "net = tf.keras.Model(image, restored)\nnet.compile('adam', 'mse')\nnet.fit(np.zeros((8, 28, 28)), np.zeros((8, 28, 28)), epochs=1, verbose=0)"


def _notebook(path: Path) -> Path:
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [
        new_markdown_cell("# A reconstruction model\nDrawn from two halves."),
        new_code_cell(IMPORTS, execution_count=1),
        new_code_cell(ENCODER, execution_count=2, outputs=[new_output("stream", name="stdout", text="encoder ready\n")]),
        new_code_cell(DECODER, execution_count=3, metadata={"tags": ["decoder"]}),
        new_code_cell("%%time\nfor i in range(3):\n    print(i)", execution_count=4),
        new_code_cell(MODEL, execution_count=5, outputs=[new_output("error", ename="ValueError", evalue="Graph disconnected", traceback=[])]),
    ]
    nbformat.write(nb, path)
    return path


def test_check_reports_by_cell_and_says_what_it_skipped(tmp_path: Path) -> None:
    nb = _notebook(tmp_path / "recon.ipynb")
    result = CliRunner().invoke(main, ["check", str(nb)])
    assert result.exit_code == 1
    assert f"{nb}:cell 6:1:7: GF101 disconnected-input: input `seed` (None, 16)" in result.stderr
    assert f"{nb}: note: cell 2 line 1: skipped IPython magic or shell escape `%matplotlib inline`" in result.stderr
    assert f"{nb}: note: cell 2 line 2: skipped IPython magic or shell escape `!pip install -q numpy`" in result.stderr
    assert f"{nb}: note: cell 5 line 1: skipped cell magic `%%time`" in result.stderr
    data = json.loads(CliRunner().invoke(main, ["check", "--format", "json", str(nb)]).stdout)
    assert data[0]["faults"][0]["cell"] == 6 and data[0]["faults"][0]["line"] == 1


def test_fix_diff_is_per_cell_and_apply_keeps_the_rest(tmp_path: Path) -> None:
    nb_path = _notebook(tmp_path / "recon.ipynb")
    before_raw = nb_path.read_bytes()
    diff = CliRunner().invoke(main, ["fix", str(nb_path)])
    assert diff.exit_code == 0, diff.output
    assert diff.stdout.startswith(f"--- a/{str(nb_path).lstrip('/')}:cell 4\n+++ b/{str(nb_path).lstrip('/')}:cell 4\n")
    assert "-seed = tf.keras.Input(shape=(16,))" in diff.stdout
    assert nb_path.read_bytes() == before_raw

    applied = CliRunner().invoke(main, ["fix", "--apply", str(nb_path)])
    assert applied.exit_code == 0, applied.output
    before = nbformat.reads(before_raw.decode(), as_version=4)
    after = nbformat.read(nb_path, as_version=4)
    assert after.metadata == before.metadata
    assert len(after.cells) == len(before.cells)
    for number, (old, new) in enumerate(zip(before.cells, after.cells), start=1):
        if number == 4:
            assert new.source == "restored = tf.keras.layers.Dense(784)(code)\nrestored = tf.keras.layers.Reshape((28, 28))(restored)"
            assert new.metadata == old.metadata and new.execution_count == old.execution_count
        else:
            assert new == old  # outputs, execution counts, metadata, magics and markdown kept
    again = CliRunner().invoke(main, ["check", str(nb_path)])
    assert again.exit_code == 0, again.output


def test_notebooks_in_a_tree_and_bad_notebooks(tmp_path: Path) -> None:
    _notebook(tmp_path / "a.ipynb")
    (tmp_path / "b.ipynb").write_text("{ not json")
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{tmp_path / 'a.ipynb'}:cell 6:1:7: GF101" in result.stderr
    assert f"{tmp_path / 'b.ipynb'}: error: not a readable notebook" in result.stderr
    assert "Traceback" not in result.stderr


def test_script_round_trip_keeps_magics_and_indentation() -> None:
    nb = new_notebook()
    nb.cells = [
        new_code_cell("import os\nif True:\n    !ls\n    files = !ls\nos.getcwd?"),
        new_markdown_cell("text"),
        new_code_cell("%%bash\necho hi\n  indented"),
        new_code_cell("x = 1 % 2  # not a magic\ny = x != 1"),
    ]
    script = to_script(nb)
    compile(script.text, "nb", "exec")
    assert "x = 1 % 2" in script.text and "y = x != 1" in script.text
    cells = split_cells(script.text)
    assert cells == {1: nb.cells[0].source, 3: nb.cells[2].source, 4: nb.cells[3].source}
    # a rewrite that adds an import above everything lands in the first code cell
    assert split_cells("import keras\n" + script.text)[1] == "import keras\n" + nb.cells[0].source
