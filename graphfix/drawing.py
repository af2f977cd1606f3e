"""Draw the construction graph a probe recorded (`graphfix check --graph FILE.svg|FILE.dot`).

The picture comes from the evidence only: the `keras.Input` tensors, the layer calls, the tensors
flowing between them and the models built from them. The faults add labels and highlights:

* an `Input` a failing model's outputs depend on but that is not among its inputs (GF101's
  orphan) and a model input no output depends on: red, bold;
* layer calls computed from a built model's inputs whose outputs reach no model output (GF102's
  dead branch, never trained): dashed red outline on grey;
* the rewiring a fault's preferred repair proposes, when its plan identifies both ends in the
  recorded graph: a dashed blue edge "proposed: <name>". Each rule says what its plans rewire
  (`FaultRule.proposals`); nothing is drawn when a plan does not pin an edge down (never a guess).

Rendering (.svg, .png) runs `graphviz-pure`, a self-contained port of Graphviz's `dot` that
graphfix depends on (its wheel ships the static binary), so a plain `pip install graphfix` draws
pictures without a system package; the same bytes come out on every machine. A system Graphviz
`dot` is used only where graphviz-pure cannot go (.pdf) or when graphviz-pure is missing.

Node ids are stable (`c<call index>`, `t<tensor id>`, `m<model index>`), so the DOT text of one
program is the same from run to run. A builder that ran twice (same source lines, same inputs)
is drawn once, its nodes marked "×N".
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import graphviz

from graphfix.ftypes import Evidence, FaultOutcome, FileOutcome, ProbeStatus, Tensor
from graphfix.graph import ConstructionGraph, Proposal, TensorNames
from graphfix.writing import write_output

if TYPE_CHECKING:
    from codemods.base import FaultRule

FORMATS: dict[str, str | None] = {".dot": None, ".gv": None, ".svg": "svg", ".png": "png", ".pdf": "pdf"}
LABEL_LIMIT = 400  # above this many layer calls, edges carry no shape labels
MESSAGE_LIMIT = 300  # characters of a fault message in the title
TITLE_WIDTH = 100  # the title wraps there

RENDERER = "graphviz-pure"  # the `dot` port graphfix installs (pyproject dependencies)
PURE_FORMATS = {"svg", "png"}  # what graphviz-pure renders; .pdf needs a system Graphviz
RENDER_TIMEOUT = 120.0

INSTALL_HINT = (
    "graphviz's `dot` program is needed to render {suffix}: install graphviz "
    "(`apt-get install graphviz`, `brew install graphviz` or `conda install graphviz`), "
    "or write .svg, .png or .dot instead"
)
MISSING_RENDERER = (
    "cannot render {suffix}: the `graphviz-pure` program graphfix depends on is missing "
    "(reinstall graphfix: `pip install --force-reinstall graphviz-pure`) and no system graphviz "
    "`dot` was found (`apt-get install graphviz`, `brew install graphviz` or `conda install graphviz`); "
    "or write .dot instead"
)

RED = "#c62828"
RED_FILL = "#ffebee"
BLUE = "#1565c0"
GREY = "#757575"
DEAD_FILL = "#eeeeee"
CALL_LINE, CALL_FILL = "#3f5f8f", "#eef3fb"
INPUT_LINE, INPUT_FILL = "#2e7d32", "#e8f5e9"
MODEL_LINE, MODEL_FILL = "#8d6e00", "#fff8e1"
FONT = "Helvetica"


class DrawingError(Exception):
    """The graph cannot be drawn; the message is one line."""


def draw(outcome: FileOutcome, target: Path, rules: Mapping[str, FaultRule]) -> None:
    """Write the construction graph of outcome.evidence to target (.dot/.gv, or .svg/.png
    rendered by graphviz-pure, .pdf by a system graphviz `dot`); `rules` (the registry by code) say what the faults' repairs
    rewire. Raises DrawingError (one line) when there is nothing to draw,
    the suffix is unknown, the renderer is missing or fails, or the file cannot be written."""
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(FORMATS)
        raise DrawingError(
            f"cannot draw to `{target.name}`: unknown format {suffix or '(no suffix)'}; use one of {known}"
        )
    if outcome.evidence is None:
        why = f": {outcome.error}" if outcome.error else ""
        raise DrawingError(f"{outcome.path}: no construction graph to draw, the file was not probed{why}")
    dot = digraph(outcome, rules)
    render = FORMATS[suffix]
    if render is None:
        data = dot.source.encode("utf-8")
    else:
        data = _render(dot, render, suffix)
    try:
        write_output(target, data)
    except OSError as exc:
        raise DrawingError(f"cannot write {target}: {exc.strerror or exc}") from None


def find_renderer(fmt: str) -> tuple[str, str] | None:
    """The program that renders `fmt`, and its name: graphviz-pure (installed beside this
    interpreter, else on PATH) for SVG and PNG, else a system Graphviz `dot`."""
    if fmt in PURE_FORMATS:
        for scripts in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
            candidate = Path(scripts) / RENDERER
            if scripts and candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate), RENDERER
        found = shutil.which(RENDERER)
        if found is not None:
            return found, RENDERER
    system = shutil.which("dot")
    return (system, "graphviz `dot`") if system is not None else None


def _render(dot: graphviz.Digraph, fmt: str, suffix: str) -> bytes:
    renderer = find_renderer(fmt)
    if renderer is None:
        raise DrawingError((MISSING_RENDERER if fmt in PURE_FORMATS else INSTALL_HINT).format(suffix=suffix))
    program, name = renderer
    try:
        done = subprocess.run(
            [program, f"-T{fmt}"], input=dot.source.encode("utf-8"), capture_output=True, timeout=RENDER_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        raise DrawingError(f"{name} took longer than {RENDER_TIMEOUT:g} s to render {suffix}") from None
    except OSError as exc:
        raise DrawingError(f"cannot run {name} ({program}): {exc.strerror or exc}") from None
    if done.returncode != 0 or not done.stdout:
        stderr = done.stderr.decode("utf-8", "replace")
        first = next((line.strip() for line in stderr.splitlines() if line.strip()), f"exit status {done.returncode}")
        raise DrawingError(f"{name} failed: {first}")
    return done.stdout


# --- what the picture shows -------------------------------------------------------------------


@dataclass
class Highlights:
    orphans: dict[int, str] = field(default_factory=dict)  # Input tid -> why it is red
    unused: set[int] = field(default_factory=set)  # model inputs no output depends on
    dead: set[int] = field(default_factory=set)  # call indices: dead branches
    model_inputs: set[int] = field(default_factory=set)  # Input tids some model takes


def highlights(graph: ConstructionGraph) -> Highlights:
    evidence = graph.evidence
    found = Highlights()
    in_models: set[int] = set()
    for model in evidence.models:
        in_models |= graph.ancestors(model.outputs)
    nested_inputs = {t: call for call in evidence.calls for t in call.model_inputs}
    for model in evidence.models:
        found.model_inputs.update(
            t for t in model.inputs if (tensor := graph.tensor(t)) is not None and tensor.is_input
        )
        roots = graph.roots(model.outputs)
        root_tensors = [graph.tensor(r) for r in roots]
        if not model.ok:
            for root, tensor in zip(roots, root_tensors):
                if tensor is not None and tensor.is_input and root not in model.inputs:
                    nested = nested_inputs.get(root)
                    why = (
                        f"input of nested model `{nested.layer}`, not a model input" if nested else "not a model input"
                    )
                    found.orphans.setdefault(root, why)
        # a gap in the recording (an op that is not a layer) makes a root that is not an Input:
        # then "unused" and "dead" cannot be told from the graph, and nothing is claimed
        complete = all(t is not None and t.is_input for t in root_tensors)
        if not complete:
            continue
        ancestors = graph.ancestors(model.outputs)
        if not any(r in found.orphans for r in roots):  # a disconnected model: the orphan is the fault
            found.unused.update(t for t in model.inputs if t not in ancestors)
        if not model.ok:
            continue
        from_inputs = graph.descendants(model.inputs)
        for call in evidence.calls:
            if (
                call.outputs
                and any(t in from_inputs for t in call.inputs)
                and not any(t in in_models for t in call.outputs)
            ):
                found.dead.add(call.index)
    return found


def proposals(
    graph: ConstructionGraph, faults: Iterable[FaultOutcome], names: TensorNames, rules: Mapping[str, FaultRule]
) -> list[Proposal]:
    """The rewiring each fixable fault's chosen (else preferred) repair proposes, as its rule draws it."""
    found: list[Proposal] = []
    for item in faults:
        fault = item.fault
        rule = rules.get(fault.code)
        if not fault.fixable or rule is None:
            continue
        plan = item.chosen or fault.repairs[0]  # the repair the engine chose, else the rule's first
        try:
            found.extend(rule.proposals(fault, plan, graph, names))
        except (KeyError, TypeError, ValueError):
            continue  # a plan the graph does not match: no proposal rather than a guess
    unique: dict[tuple[str, str], Proposal] = {}
    for proposal in found:
        unique.setdefault((proposal.source, proposal.target), proposal)
    return list(unique.values())


# --- deduplication ----------------------------------------------------------------------------


def _canonical(evidence: Evidence) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """Representatives: call index -> the first call index with the same source span, class and
    inputs (inputs compared through their own representatives); the same for Input tensors and
    model builds. A builder run twice is drawn once. Calls without a span (library code) are
    never merged."""
    calls: dict[int, int] = {}
    first: dict[object, int] = {}

    def tkey(tid: int) -> object:
        tensor = evidence.tensors.get(tid)
        if tensor is None:
            return ("tensor", tid)
        if tensor.producer is not None:
            if tensor.producer not in calls:  # produced by a later call: never merged
                return ("tensor", tid)
            call = evidence.calls[tensor.producer]
            return ("out", calls[tensor.producer], call.outputs.index(tid) if tid in call.outputs else -1)
        if tensor.is_input and tensor.input_span is not None:
            return ("input", tensor.input_span, tensor.shape)
        return ("tensor", tid)

    for call in evidence.calls:
        key: object = ("call", call.index)
        if call.span is not None:
            key = ("call", call.span, call.cls, call.failed, tuple(tkey(t) for t in call.inputs))
        calls[call.index] = first.setdefault(key, call.index)
    tensors: dict[int, int] = {}
    for tid in sorted(evidence.tensors):
        tensors[tid] = first.setdefault(tkey(tid), tid)
    models: dict[int, int] = {}
    for i, model in enumerate(evidence.models):
        key = ("model", i)
        if model.span is not None:
            key = (
                "model",
                model.span,
                model.ok,
                tuple(tkey(t) for t in model.inputs),
                tuple(tkey(t) for t in model.outputs),
            )
        models[i] = first.setdefault(key, i)
    return calls, tensors, models


# --- the DOT text -----------------------------------------------------------------------------


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\")


def _lines(*parts: str | None) -> str:
    return "\\n".join(_esc(p) for p in parts if p)


def _shape(shape: tuple[int | None, ...] | None) -> str:
    if shape is None:
        return "(?)"
    dims = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _short(text: str, limit: int = MESSAGE_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _locator(outcome: FileOutcome) -> Callable[[int], str]:
    """Source line -> "line N" (notebooks: "cell C line L", from the script's cell markers)."""
    if not outcome.path.endswith(".ipynb") or not outcome.original:
        return lambda line: f"line {line}"
    where: dict[int, tuple[int, int]] = {}
    cell, start = 0, 0
    for number, text in enumerate(outcome.original.splitlines(), start=1):
        marker = re.match(r"# %% graphfix cell (\d+)\s*$", text)
        if marker:
            cell, start = int(marker.group(1)), number
        elif cell:
            where[number] = (cell, number - start)
    return lambda line: f"cell {where[line][0]} line {where[line][1]}" if line in where else f"line {line}"


def _fault_line(item: FaultOutcome) -> str:
    fault = item.fault
    at = f"cell {fault.cell} line {fault.line}" if fault.cell is not None else f"line {fault.line}"
    fix = {"verified": "fix verified", "unverified": "fix not verified", "failed": "fix failed"}.get(item.state.value)
    if item.state.value == "unverified" and not item.reason:
        fix = "fix proposed"  # `check` proposes; only `fix` verifies
    state = f" ({fix})" if fix else ""
    return f"{fault.code} {at}{state}: {_short(fault.message)}"


def digraph(outcome: FileOutcome, rules: Mapping[str, FaultRule]) -> graphviz.Digraph:
    """The construction graph of `outcome.evidence` as a graphviz Digraph (not rendered); the
    proposed rewirings come from `rules`, the registry by code."""
    evidence = outcome.evidence
    if evidence is None:
        raise DrawingError(f"{outcome.path}: no construction graph to draw, the file was not probed")
    graph = ConstructionGraph(evidence)
    namer = TensorNames(evidence, outcome.original)
    where = _locator(outcome)
    marks = highlights(graph)
    proposed = proposals(graph, outcome.faults, namer, rules)
    call_rep, tensor_rep, model_rep = _canonical(evidence)
    big = len(set(call_rep.values())) > LABEL_LIMIT

    groups: dict[str, list[int]] = {}
    for kind, mapping in (("c", call_rep), ("t", tensor_rep), ("m", model_rep)):
        for member, representative in mapping.items():
            groups.setdefault(f"{kind}{representative}", []).append(member)

    def times(n: int) -> str | None:
        return f"×{n} (these lines ran {n} times)" if n > 1 else None

    def node_of(tid: int) -> str:
        producer = graph.producer(tid)
        if producer is not None:
            return f"c{call_rep[producer.index]}"
        return f"t{tensor_rep.get(tid, tid)}"

    def rep_node(node: str) -> str:
        kind, number = node[0], int(node[1:])
        if kind == "c":
            return f"c{call_rep.get(number, number)}"
        if kind == "t":
            return f"t{tensor_rep.get(number, number)}"
        return f"m{model_rep.get(number, number)}"

    dot = graphviz.Digraph("construction_graph")
    dot.attr(
        rankdir="TB",
        fontname=FONT,
        fontsize="12",
        labelloc="t",
        labeljust="l",
        nodesep="0.3",
        ranksep="0.45",
        newrank="true",
    )
    dot.attr("node", fontname=FONT, fontsize="11", margin="0.12,0.05")
    dot.attr("edge", fontname=FONT, fontsize="9", color="#555555", arrowsize="0.7")
    if big:
        dot.attr(splines="false")

    # title: the file and its faults
    title = [f"graphfix: {outcome.path}"]
    status = {
        ProbeStatus.TIMEOUT: "probe timed out: the graph is what was built until then",
        ProbeStatus.CRASHED: "the program crashed: the graph is what was built until then",
    }.get(evidence.status)
    if status:
        title.append(status)
    title += [_fault_line(item) for item in outcome.faults] or ["no graph faults found"]
    error = evidence.error
    explained = error is not None and (
        any(
            item.fault.explains_error
            or (error.span is not None and item.fault.line == error.span.line and item.fault.cell is None)
            for item in outcome.faults
        )
        or any(not m.ok and m.error == error.summary for m in evidence.models)
    )
    if error is not None and not explained:
        at = f" at {where(error.span.line)}" if error.span else ""
        title.append(f"the program stopped{at}: {_short(error.summary)}")
    if big:
        title.append(f"{len(set(call_rep.values()))} layer calls: edges are not labelled")
    wrapped = [part for line in title for part in textwrap.wrap(line, TITLE_WIDTH, subsequent_indent="    ")]
    dot.attr(label="".join(_esc(line) + "\\l" for line in wrapped))
    used_styles: set[str] = set()

    # Input tensors, and tensors without a recorded producer that something reads
    model_spans = {m.span for m in evidence.models if m.span is not None}
    read = {t for call in evidence.calls for t in call.inputs} | {
        t for m in evidence.models for t in (*m.inputs, *m.outputs)
    }
    for tid in sorted(set(evidence.tensors) | read):
        tensor = evidence.tensors.get(tid) or Tensor(tid, None, None, False, None)
        if tensor.producer is not None or tensor_rep.get(tid, tid) != tid:
            continue
        if tid not in read and (not tensor.is_input or tensor.input_span in model_spans):
            continue  # an Input Keras made itself for a model built on an intermediate tensor
        members = groups.get(f"t{tid}", [tid])
        name = namer.tensor(tensor, graph)
        attrs = {"shape": "ellipse", "style": "filled", "color": INPUT_LINE, "fillcolor": INPUT_FILL}
        why = next((marks.orphans[t] for t in members if t in marks.orphans), None)
        if why is None and any(t in marks.unused for t in members):
            why = "unused model input"
        role = "model input" if any(t in marks.model_inputs for t in members) else None
        if tensor.is_input:
            head = f"Input {name}" if name else "Input"
            line = where(tensor.input_span.line) if tensor.input_span else None
        else:
            head = f"tensor {name}" if name else "tensor"
            line, role = None, "not made by a recorded layer"
            attrs.update(color=GREY, fillcolor="white", style="dashed")
        if why:
            attrs.update(color=RED, fillcolor=RED_FILL, fontcolor=RED, style="filled,bold", penwidth="2.5")
            used_styles.add("red")
            role = why
        label = _lines(head, _shape(tensor.shape), line, role, times(len(members)))
        dot.node(f"t{tid}", label, **attrs)

    # layer calls
    edges: dict[tuple[str, str, str], dict[str, str]] = {}
    replaced = {(p.replaces and rep_node(p.replaces), rep_node(p.target)): p for p in proposed if p.replaces}
    for call in evidence.calls:
        if call_rep[call.index] != call.index:
            continue
        members = groups[f"c{call.index}"]
        attrs = {"shape": "box", "style": "rounded,filled", "color": CALL_LINE, "fillcolor": CALL_FILL}
        notes: list[str | None] = []
        if call.model_inputs:
            attrs["shape"] = "box3d"
            notes.append("nested model")
        if call.failed:
            attrs.update(color=RED, style="rounded,filled,bold")
            notes.append("the call raised")
            used_styles.add("red")
        if any(c in marks.dead for c in members):
            attrs.update(style="rounded,dashed,filled,bold", color=RED, fillcolor=DEAD_FILL, fontcolor="#555555")
            notes.append("dead branch: not trained")
            used_styles.add("dead")
        line = where(call.span.line) if call.span else "outside the file"
        label = _lines(f"{call.layer} ({call.cls})", line, *notes, times(len(members)))
        dot.node(f"c{call.index}", label, **attrs)
        for tid in call.inputs:
            source = node_of(tid)
            flowing = graph.tensor(tid)
            key = (source, f"c{call.index}", "")
            if key in edges:
                continue
            style: dict[str, str] = {}
            if not big and flowing is not None:
                style["label"] = " " + _shape(flowing.shape)
            if (source, f"c{call.index}") in replaced:
                style.update(color=GREY, fontcolor=GREY, label=style.get("label", "") + " (to be replaced)")
            edges[key] = style

    # model builds
    for i, model in enumerate(evidence.models):
        if model_rep[i] != i:
            continue
        members = groups[f"m{i}"]
        name = namer.bound_at(model.span) or model.name or model.cls
        line = where(model.span.line) if model.span else "outside the file"
        attrs = {"shape": "doubleoctagon", "style": "filled", "color": MODEL_LINE, "fillcolor": MODEL_FILL}
        state: list[str] = []
        if not model.ok:
            state = textwrap.wrap("not built: " + _short(model.error or "the model could not be built", 150), 48)
            attrs.update(color=RED, fontcolor=RED, fillcolor=RED_FILL)
            used_styles.add("red")
        dot.node(f"m{i}", _lines(f"Model: {name} ({line})", *state, times(len(members))), **attrs)
        for tid in model.outputs:
            edges.setdefault((node_of(tid), f"m{i}", "out"), {"label": " output", "penwidth": "1.5"})
        for tid in model.inputs:
            style = {"style": "dotted", "color": GREY, "constraint": "false", "tooltip": "model input"}
            if (node_of(tid), f"m{i}") in replaced:
                style.update(label=" model input (to be replaced)", fontcolor=GREY)
            edges.setdefault((node_of(tid), f"m{i}", "in"), style)

    for (source, target, _), attrs in edges.items():
        dot.edge(source, target, **attrs)
    for proposal in proposed:
        source, target = rep_node(proposal.source), rep_node(proposal.target)
        if source == target:
            continue
        dot.edge(
            source, target, label=" " + _esc(proposal.label), style="dashed", color=BLUE, fontcolor=BLUE, penwidth="2"
        )
        used_styles.add("proposed")

    if not evidence.calls and not evidence.models:
        dot.node("empty", "no layer calls or models were recorded", shape="plaintext", fontcolor=GREY)
    if used_styles:
        dot.node("legend", _legend(used_styles), shape="plaintext")
    return dot


def _legend(styles: set[str]) -> str:
    rows = []
    if "red" in styles:
        rows.append(
            f'<tr><td><font color="{RED}"><b>red</b></font></td><td align="left">a problem: a disconnected or unused input, a model not built</td></tr>'
        )
    if "dead" in styles:
        rows.append(
            f'<tr><td><font color="{RED}">dashed box</font></td><td align="left">computed from the model inputs, never reaches an output</td></tr>'
        )
    if "proposed" in styles:
        rows.append(
            f'<tr><td><font color="{BLUE}">dashed arrow</font></td><td align="left">the rewiring graphfix proposes</td></tr>'
        )
    return (
        '<<table border="0" cellborder="0" cellspacing="2"><tr><td colspan="2" align="left"><b>legend</b></td></tr>'
        + "".join(rows)
        + "</table>>"
    )
