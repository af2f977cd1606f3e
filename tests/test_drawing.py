"""`graphfix.drawing`: the construction graph of real probes, drawn as DOT, SVG and PNG (rendered
by graphviz-pure, no system Graphviz), faults highlighted and the proposed rewiring dashed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from codemods.base import FaultRule
from codemods.dead_branch import DeadBranch, ModelInput
from graphfix import drawing
from graphfix.drawing import BLUE, RED, DrawingError, digraph, draw
from graphfix.engine import Engine
from graphfix.ftypes import (
    Evidence,
    Fault,
    FaultOutcome,
    FileOutcome,
    FixState,
    LayerCall,
    ModelBuild,
    Plan,
    ProbeStatus,
    Span,
    Tensor,
)
from graphfix.graph import ConstructionGraph, Proposal, TensorNames
from graphfix.registry import discover

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
RULES = discover()  # the rules say what their repairs rewire

CLEAN = """\
import keras
from keras import layers

inputs = keras.Input(shape=(10,))
hidden = layers.Dense(8, activation="relu")(inputs)
outputs = layers.Dense(1)(hidden)
model = keras.Model(inputs, outputs)
"""

COMPOSE = """\
import keras
from keras import layers

inp = keras.Input(shape=(16,))
code = layers.Dense(4)(inp)
z = keras.Input(shape=(4,))
out = layers.Dense(16)(z)
dec = keras.Model(z, out)
ae = keras.Model(inp, dec.output)
"""

TWICE = """\
import keras
from keras import layers


def build():
    inp = keras.Input(shape=(16,))
    hidden = layers.Dense(8)(inp)
    return keras.Model(inp, layers.Dense(1)(hidden))


models = [build() for _ in range(3)]
"""


class Dot:
    """The nodes and edges of DOT text written by `draw` (one statement a line)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.nodes: dict[str, str] = {}
        self.edges: list[tuple[str, str, str]] = []
        for line in text.splitlines():
            edge = re.match(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?$", line)
            node = re.match(r"^\s*(\w+) \[(.*)\]$", line)
            if edge:
                self.edges.append((edge.group(1), edge.group(2), edge.group(3) or ""))
            elif node:
                self.nodes[node.group(1)] = node.group(2)

    def node(self, *fragments: str) -> str:
        """The one node whose attributes contain every fragment."""
        found = [n for n, attrs in self.nodes.items() if all(f in attrs for f in fragments)]
        assert len(found) == 1, (fragments, found, self.text)
        return found[0]

    def edge(self, source: str, target: str, *fragments: str) -> str:
        found = [a for s, t, a in self.edges if s == source and t == target and all(f in a for f in fragments)]
        assert len(found) == 1, (source, target, fragments, self.text)
        return found[0]


def dot_of(outcome: FileOutcome, tmp_path: Path, name: str = "graph.dot") -> Dot:
    target = tmp_path / name
    draw(outcome, target, RULES)
    return Dot(target.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def autoencoder(engine: Engine) -> FileOutcome:
    outcome = engine.check(EXAMPLES / "autoencoder.py")
    assert outcome.evidence is not None and [f.fault.code for f in outcome.faults] == ["GF101"]
    return outcome


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- real probes ------------------------------------------------------------------------------


def test_disconnected_input_is_red_and_the_rewiring_dashed(autoencoder: FileOutcome, tmp_path: Path) -> None:
    dot = dot_of(autoencoder, tmp_path)
    orphan = dot.node("Input latent_in", "not a model input")
    assert f'color="{RED}"' in dot.nodes[orphan] and "bold" in dot.nodes[orphan]
    pixels = dot.node("Input pixels", "model input")
    assert RED not in dot.nodes[pixels]
    # every layer call, with its class and line
    encoded = dot.node("(Dense)\\nline 8")
    decoder_first = dot.node("(Dense)\\nline 11")
    for line in (7, 12):
        dot.node(f"(Dense)\\nline {line}")
    proposed = dot.edge(encoded, decoder_first, "proposed: encoded")
    assert "style=dashed" in proposed and BLUE in proposed
    assert "to be replaced" in dot.edge(orphan, decoder_first)
    model = dot.node("Model: autoencoder (line 14)", "not built")
    dot.edge(dot.node("(Dense)\\nline 12"), model, "output")
    dot.edge(pixels, model, "dotted")
    assert "GF101 line 14" in dot.text and "latent_in" in dot.text


def test_dead_branch_is_dashed_and_the_consumer_rewired(engine: Engine, tmp_path: Path) -> None:
    outcome = engine.check(EXAMPLES / "skipped_encoder.py")
    assert [f.fault.code for f in outcome.faults] == ["GF102"]
    dot = dot_of(outcome, tmp_path)
    dead = dot.node("(Dense)\\nline 6", "dead branch: not trained")
    assert "dashed" in dot.nodes[dead] and RED in dot.nodes[dead]
    consumer = dot.node("(Dense)\\nline 7")
    assert "dead branch" not in dot.nodes[consumer]
    assert "style=dashed" in dot.edge(dead, consumer, "proposed: encoded")
    image = dot.node("Input input_img", "model input")
    assert "to be replaced" in dot.edge(image, consumer)
    dot.node("Model: autoencoder (line 8)")


def test_nested_model_input_and_proposed_model_input(engine: Engine, tmp_path: Path) -> None:
    outcome = engine.check(EXAMPLES / "feature_maps.py")
    assert [f.fault.code for f in outcome.faults] == ["GF103"]
    dot = dot_of(outcome, tmp_path)
    inner = dot.node("input of nested model `backbone`, not a model input")
    assert RED in dot.nodes[inner]
    maps = dot.node("Model: maps (line 13)", "not built")
    assert "style=dashed" in dot.edge(inner, maps, "proposed input: backbone.inputs")
    dot.node("backbone (Sequential)", "nested model")


def test_compose_proposal_names_the_submodel(engine: Engine, tmp_path: Path) -> None:
    outcome = engine.check(write(tmp_path, "compose.py", COMPOSE))
    assert [f.fault.repairs[0].kind for f in outcome.faults if f.fault.repairs] == ["compose"]
    dot = dot_of(outcome, tmp_path)
    dot.node("Input z", "not a model input")
    dot.edge(dot.node("(Dense)\\nline 5"), dot.node("(Dense)\\nline 7"), "proposed: dec(code)", "style=dashed")


def test_clean_program_draws_without_red(engine: Engine, tmp_path: Path) -> None:
    outcome = engine.check(write(tmp_path, "clean.py", CLEAN))
    assert outcome.faults == () and outcome.evidence is not None
    dot = dot_of(outcome, tmp_path)
    assert RED not in dot.text and "dashed" not in dot.text and "legend" not in dot.nodes
    assert "no graph faults found" in dot.text
    inputs = dot.node("Input inputs", "model input")
    first, second = dot.node("(Dense)\\nline 5"), dot.node("(Dense)\\nline 6")
    model = dot.node("Model: model (line 7)")
    dot.edge(inputs, first, "(None, 10)")
    dot.edge(first, second, "(None, 8)")
    dot.edge(second, model, "output")


def test_a_builder_run_twice_is_drawn_once(engine: Engine, tmp_path: Path) -> None:
    outcome = engine.check(write(tmp_path, "twice.py", TWICE))
    assert outcome.evidence is not None and len(outcome.evidence.calls) == 6
    dot = dot_of(outcome, tmp_path)
    layers = [n for n, attrs in dot.nodes.items() if "(Dense)" in attrs]
    assert len(layers) == 2 and all("×3" in dot.nodes[n] for n in layers)
    assert "×3" in dot.nodes[dot.node("Input inp")]
    assert len([n for n in dot.nodes if n.startswith("m")]) == 1


def test_the_dot_text_is_stable_from_probe_to_probe(engine: Engine, autoencoder: FileOutcome) -> None:
    again = engine.check(EXAMPLES / "autoencoder.py")
    assert digraph(again, RULES).source == digraph(autoencoder, RULES).source


def test_svg_renders_without_a_system_graphviz(autoencoder: FileOutcome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(drawing.shutil, "which", lambda name: None)  # no `dot` anywhere: graphviz-pure only
    target = tmp_path / "graph.svg"
    draw(autoencoder, target, RULES)
    text = target.read_text(encoding="utf-8")
    assert "<svg" in text and "latent_in" in text and "proposed: encoded" in text
    assert RED.lower() in text.lower() and BLUE.lower() in text.lower()  # the highlighting survives rendering


def test_png_renders_without_a_system_graphviz(autoencoder: FileOutcome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(drawing.shutil, "which", lambda name: None)
    target = tmp_path / "graph.png"
    draw(autoencoder, target, RULES)
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000


# --- errors and writing -----------------------------------------------------------------------


def test_missing_renderer_says_how_to_get_one(
    autoencoder: FileOutcome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(drawing, "RENDERER", "graphviz-pure-not-installed")
    monkeypatch.setenv("PATH", "")
    target = tmp_path / "graph.svg"
    with pytest.raises(DrawingError) as info:
        draw(autoencoder, target, RULES)
    message = str(info.value)
    assert "\n" not in message
    for hint in ("graphviz-pure", "pip install", "apt-get install graphviz", ".dot"):
        assert hint in message
    assert not target.exists() and list(tmp_path.iterdir()) == []
    draw(autoencoder, tmp_path / "graph.dot", RULES)  # DOT needs no renderer
    assert (tmp_path / "graph.dot").read_text(encoding="utf-8").startswith("digraph")


def test_pdf_needs_a_system_graphviz(autoencoder: FileOutcome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(DrawingError, match=r"apt-get install graphviz.*\.svg, \.png or \.dot"):
        draw(autoencoder, tmp_path / "graph.pdf", RULES)


def test_unknown_suffix(autoencoder: FileOutcome, tmp_path: Path) -> None:
    with pytest.raises(DrawingError, match=r"\.svg") as info:
        draw(autoencoder, tmp_path / "graph.jpg", RULES)
    assert "\n" not in str(info.value)
    with pytest.raises(DrawingError):
        draw(autoencoder, tmp_path / "graph", RULES)
    assert list(tmp_path.iterdir()) == []


def test_no_evidence(tmp_path: Path) -> None:
    outcome = FileOutcome("broken.py", error="syntax error at line 3")
    with pytest.raises(DrawingError, match="not probed") as info:
        draw(outcome, tmp_path / "graph.dot", RULES)
    assert "syntax error at line 3" in str(info.value) and "\n" not in str(info.value)


def test_written_atomically_over_an_existing_file(autoencoder: FileOutcome, tmp_path: Path) -> None:
    target = tmp_path / "graph.dot"
    target.write_text("old", encoding="utf-8")
    draw(autoencoder, target, RULES)
    assert target.read_text(encoding="utf-8").startswith("digraph")
    assert [p.name for p in tmp_path.iterdir()] == ["graph.dot"]


def test_unwritable_target(autoencoder: FileOutcome, tmp_path: Path) -> None:
    with pytest.raises(DrawingError, match="cannot write"):
        draw(autoencoder, tmp_path / "missing" / "graph.dot", RULES)


# --- synthetic evidence -----------------------------------------------------------------------


def chain(calls: int) -> Evidence:
    tensors = {1: Tensor(1, (None, 4), None, True, Span(1, 0, 1, 20))}
    recorded = []
    for i in range(calls):
        tensors[i + 2] = Tensor(i + 2, (None, 4), i, False, None)
        recorded.append(
            LayerCall(i, f"dense_{i}", "Dense", 100 + i, (i + 1,), (i + 2,), ((None, 4),), Span(i + 2, 0, i + 2, 9))
        )
    model = ModelBuild("Functional", 1, True, (1,), (calls + 1,), Span(calls + 2, 0, calls + 2, 9), None, "functional")
    return Evidence(ProbeStatus.OK, "keras3", tuple(recorded), tensors, (model,))


def test_large_graphs_are_drawn_without_edge_labels(tmp_path: Path) -> None:
    dot = dot_of(FileOutcome("big.py", evidence=chain(401)), tmp_path)
    assert len([n for n in dot.nodes if n.startswith("c")]) == 401
    assert not any("(None, 4)" in attrs for _, _, attrs in dot.edges)
    assert "401 layer calls" in dot.text
    small = dot_of(FileOutcome("small.py", evidence=chain(3)), tmp_path, "small.dot")
    assert any("(None, 4)" in attrs for _, _, attrs in small.edges)


def test_an_unused_model_input_is_red(tmp_path: Path) -> None:
    evidence = chain(2)
    extra = Tensor(9, (None, 4), None, True, Span(9, 0, 9, 20))
    model = ModelBuild("Functional", 1, True, (1, 9), (3,), Span(10, 0, 10, 9), None, "functional")
    outcome = FileOutcome(
        "unused.py",
        evidence=Evidence(ProbeStatus.OK, "keras3", evidence.calls, {**evidence.tensors, 9: extra}, (model,)),
    )
    dot = dot_of(outcome, tmp_path)
    assert RED in dot.nodes[dot.node("unused model input")]
    assert RED not in dot.nodes["t1"]


def test_notebook_lines_are_cell_lines(tmp_path: Path) -> None:
    script = "# %% graphfix cell 2\nimport keras\n# %% graphfix cell 4\nx = keras.Input((4,))\nh = keras.layers.Dense(4)(x)\n"
    tensors = {1: Tensor(1, (None, 4), None, True, Span(4, 4, 4, 21)), 2: Tensor(2, (None, 4), 0, False, None)}
    calls = (LayerCall(0, "dense", "Dense", 7, (1,), (2,), ((None, 4),), Span(5, 4, 5, 28)),)
    outcome = FileOutcome("nb.ipynb", original=script, evidence=Evidence(ProbeStatus.OK, "keras3", calls, tensors))
    dot = dot_of(outcome, tmp_path)
    dot.node("Input x", "cell 4 line 1")
    dot.node("dense (Dense)\\ncell 4 line 2")


# --- what the rules propose -------------------------------------------------------------------


@dataclass(frozen=True)
class Feed(Plan):
    source: str
    target: str


class Drawn(FaultRule):
    """A rule whose plans name the edge they rewire; it records what the drawing asks."""

    code = "GF999"
    name = "drawn"
    summary = "test rule"

    def __init__(self) -> None:
        self.asked: list[Plan] = []

    def proposals(self, fault: Fault, plan: Plan, graph: ConstructionGraph, names: TensorNames) -> list[Proposal]:
        self.asked.append(plan)
        assert isinstance(plan, Feed)
        return [Proposal(plan.source, plan.target, "proposed: x", replaces="c0")]


def test_the_drawing_draws_what_the_rule_proposes(tmp_path: Path) -> None:
    rule = Drawn()
    preferred, other = Feed("t1", "c1"), Feed("t1", "c0")
    faults = (
        FaultOutcome(Fault("GF999", "drawn", 3, 1, "fixable", repairs=(preferred, other)), FixState.UNVERIFIED),
        FaultOutcome(Fault("GF999", "drawn", 4, 1, "report only"), FixState.NONE),
    )
    outcome = FileOutcome("drawn.py", faults=faults, evidence=chain(2))
    target = tmp_path / "graph.dot"
    draw(outcome, target, {"GF999": rule})
    dot = Dot(target.read_text(encoding="utf-8"))
    assert rule.asked == [preferred]  # the preferred repair only; nothing for a fault without one
    proposed = dot.edge("t1", "c1", "proposed: x")
    assert "style=dashed" in proposed and BLUE in proposed
    assert "to be replaced" in dot.edge("c0", "c1")
    draw(outcome, target, {})  # no rule for the code: nothing proposed, no error
    assert not any("proposed:" in attrs for _, _, attrs in Dot(target.read_text(encoding="utf-8")).edges)


INTERMEDIATE = """\
inp = Input((8,))
h = Dense(4)(inp)
out = Dense(1)(h)
m = Model(inputs=h, outputs=out)
"""


def intermediate_input(names: dict[str, int]) -> Evidence:
    """INTERMEDIATE as a probe records it: the model is built on `h`, not on the Input."""
    tensors = {
        1: Tensor(1, (None, 8), None, True, Span(1, 6, 1, 17)),
        2: Tensor(2, (None, 4), 0, False, None),
        3: Tensor(3, (None, 1), 1, False, None),
    }
    calls = (
        LayerCall(0, "dense", "Dense", 10, (1,), (2,), ((None, 8),), Span(2, 4, 2, 17)),
        LayerCall(1, "dense_1", "Dense", 11, (2,), (3,), ((None, 4),), Span(3, 6, 3, 17)),
    )
    model = ModelBuild("Functional", 1, True, (2,), (3,), Span(4, 4, 4, 32), None, "functional", names=names)
    return Evidence(ProbeStatus.OK, "keras3", calls, tensors, (model,))


def test_dead_branch_proposes_the_input_for_an_intermediate_model_input(tmp_path: Path) -> None:
    plan = ModelInput(Span(4, 4, 4, 32), old="h", new="inp")
    fault = Fault("GF102", "dead-branch", 4, 5, "model input `h` is an intermediate tensor", repairs=(plan,))
    # names from the probe, or else from the source
    for evidence, source in ((intermediate_input({"inp": 1, "h": 2, "out": 3}), None), (intermediate_input({}), INTERMEDIATE)):
        graph = ConstructionGraph(evidence)
        names = TensorNames(evidence, source)
        expected = Proposal("t1", "m0", "proposed input: inp", replaces="c0")
        assert DeadBranch().proposals(fault, plan, graph, names) == [expected]
        elsewhere = ModelInput(Span(9, 0, 9, 10), old="h", new="inp")
        assert DeadBranch().proposals(fault, elsewhere, graph, names) == []  # no such model: nothing
        unknown = ModelInput(Span(4, 4, 4, 32), old="h", new="pixels")
        assert DeadBranch().proposals(fault, unknown, graph, names) == []  # no such Input: nothing
    outcome = FileOutcome(
        "intermediate.py",
        original=INTERMEDIATE,
        faults=(FaultOutcome(fault, FixState.UNVERIFIED),),
        evidence=intermediate_input({}),
    )
    target = tmp_path / "graph.dot"
    draw(outcome, target, {"GF102": DeadBranch()})
    dot = Dot(target.read_text(encoding="utf-8"))
    assert "style=dashed" in dot.edge("t1", "m0", "proposed input: inp")
    assert "to be replaced" in dot.edge("c0", "m0", "model input")
