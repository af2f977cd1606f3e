"""GF101's reapplied-output repairs: `layer.output` of a layer that was called again.

A layer called more than once (a trained head re-applied on top of a backbone, layer by layer in
a loop; a shared layer applied to a second input) has one output per call, and ``layer.output``
is always its *first* call's. A model built from the later graph's inputs and ``layer.output``
(``Model(full.input, layer.output)`` to look at the activations of the stacked model) then
reaches the first graph's ``Input``: Keras 3 says the output "is not connected to `inputs`",
tf-keras "Graph disconnected". The probe shows it: the model's output was made by one call of a
layer, and another call of the same layer made the tensor of that position from the model's
inputs. The program meant that later tensor.

- read-reapplied: where the model is built, a name holds the later call's result (the probe
  saw it there): it replaces ``layer.output``. Not offered when the model is built in a loop,
  where the name holds one layer's result and the read names another layer on each pass.
- keep-reapplied: the statement that makes the later call (``x = layer(x)``, in a loop or not)
  keeps each result by layer name, ``reapplied_outputs[layer.name] = x``, in a dict made before
  the loop; the read becomes ``reapplied_outputs.get(layer.name, layer.output)``: a layer that
  was re-applied gives the output of that call, any other layer its only one. No layer and no
  weight changes: the model is the one the program tried to build, cut at the later call.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from libcst.metadata import ComprehensionScope

from codemods.base import Example, Skip
from codemods.edits import model_arg
from graphfix.ftypes import LayerCall, ModelBuild, Plan, Span
from graphfix.graph import ConstructionGraph
from graphfix.source import SourceIndex

DICT_NAME = "reapplied_outputs"


@dataclass(frozen=True)
class ReadReapplied(Plan):
    model: Span
    reads: tuple[tuple[Span, str], ...]  # each `layer.output` read, and the name holding the later call's result

    def describe(self) -> str:
        return "read reapplied: " + ", ".join(f"`{name}` instead of `.output`" for _, name in self.reads)


@dataclass(frozen=True)
class KeepReapplied(Plan):
    model: Span
    reads: tuple[Span, ...]  # the `layer.output` reads in the model's outputs
    call: Span  # the later call of the layer, whose result the statement binds to a name

    def describe(self) -> str:
        return f"keep reapplied: the call at line {self.call.line} keeps each layer's result; the model reads it instead of `.output`"


def reapplied_outputs(graph: ConstructionGraph, index: SourceIndex, model: ModelBuild) -> list[Plan]:
    """The plans for a failing model whose outputs are read as `layer.output` of layers that
    a later call applied to tensors of the model's inputs."""
    if model.span is None:
        return []
    call = index.node_at(model.span)
    outputs = model_arg(call, 1, "outputs") if isinstance(call, cst.Call) else None
    if call is None or outputs is None:
        return []
    value = outputs.value
    if isinstance(value, (cst.List, cst.Tuple)):
        expressions = [e.value for e in value.elements]
    elif isinstance(value, cst.ListComp):  # `[layer.output for layer in m.layers]`: one read for all
        expressions = [value.elt] * len(model.outputs)
    else:
        expressions = [value]
    if len(expressions) != len(model.outputs):
        return []
    reachable = graph.descendants(model.inputs)
    reads: list[tuple[Span, LayerCall, int]] = []  # the read, the later call, the tensor it made
    for expression, tid in zip(expressions, model.outputs):
        if tid in reachable:
            continue
        first = graph.producer(tid)
        if first is None or not _reads_output(expression):
            continue
        position = first.outputs.index(tid)
        later = [
            c for c in graph.calls
            if c.uid == first.uid and c.index != first.index and not c.failed and c.span is not None
            and len(c.outputs) == len(first.outputs) and c.outputs[position] in reachable
        ]
        if len(later) != 1:
            return []  # none, or several graphs it could mean
        reads.append((index.span_of(expression), later[0], later[0].outputs[position]))
    if not reads:
        return []
    plans: list[Plan] = []
    named = {tid: name for name, tid in sorted(model.names.items(), reverse=True) if name.isidentifier()}
    one_each = len({span for span, _, _ in reads}) == len(reads)
    if one_each and all(tid in named for _, _, tid in reads) and not _in_loop(index, call):
        plans.append(ReadReapplied(model.span, tuple((span, named[tid]) for span, _, tid in reads)))
    sites = {c.span for _, c, _ in reads}
    if len(sites) == 1:
        site = sites.pop()
        assert site is not None
        plans.append(KeepReapplied(model.span, tuple(dict.fromkeys(span for span, _, _ in reads)), site))
    return plans


def _reads_output(expression: cst.BaseExpression) -> bool:
    return isinstance(expression, cst.Attribute) and expression.attr.value == "output"


def _in_loop(index: SourceIndex, node: cst.CSTNode) -> bool:
    return _outermost_loop(index, node) is not None


def _outermost_loop(index: SourceIndex, node: cst.CSTNode) -> cst.For | cst.While | None:
    """The outermost `for`/`while` around `node` within its function."""
    found: cst.For | cst.While | None = None
    current = index.parent(node)
    while current is not None and not isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Module)):
        if isinstance(current, (cst.For, cst.While)):
            found = current
        current = index.parent(current)
    return found


def transform(index: SourceIndex, plan: Plan) -> str:
    if isinstance(plan, ReadReapplied):
        reads: dict[cst.CSTNode, cst.CSTNode] = {_read_at(index, span): cst.Name(name) for span, name in plan.reads}
        return index.module.visit(_Apply(reads)).code
    if isinstance(plan, KeepReapplied):
        return _keep(index, plan)
    raise Skip(f"not a reapplied-output plan: {plan.kind}")


def _read_at(index: SourceIndex, span: Span) -> cst.Attribute:
    node = index.node_at(span, cst.Attribute)
    if not isinstance(node, cst.Attribute) or node.attr.value != "output":
        raise Skip(f"no `.output` read at line {span.line}")
    return node


def _keep(index: SourceIndex, plan: KeepReapplied) -> str:
    call = index.node_at(plan.call)
    if not isinstance(call, cst.Call):
        raise Skip(f"no call found at line {plan.call.line}")
    name = index.bound_name(call)
    statement = index.statement_of(call)
    if name is None or not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        raise Skip(f"the call at line {plan.call.line} is not the value of an assignment to a name")
    reads = [_read_at(index, span) for span in plan.reads]
    scope = index.scope_of(call)
    end = index.range(statement).end.line
    for read in reads:
        if _function_scope(index, read) is not scope or index.range(read).start.line <= end:
            raise Skip(f"`.output` at line {index.range(read).start.line} is not read after the call, in its function")
    taken = {n.value for n in _names(index.module)}
    kept = DICT_NAME
    suffix = 2
    while kept in taken:
        kept, suffix = f"{DICT_NAME}_{suffix}", suffix + 1
    layer = index.module.code_for_node(call.func)
    store = cst.parse_statement(f"{kept}[{layer}.name] = {name}\n")
    create = cst.parse_statement(f"{kept} = {{}}  # each layer's latest output, by layer name\n")
    replacements: dict[cst.CSTNode, cst.CSTNode] = {}
    for read in reads:
        receiver = index.module.code_for_node(read.value)
        replacements[read] = cst.parse_expression(f"{kept}.get({receiver}.name, {receiver}.output)")
    loop = _outermost_loop(index, statement)
    anchor: cst.CSTNode = loop if loop is not None else statement
    return index.module.visit(_Apply(replacements, before={anchor: create}, after={statement: store})).code


def _function_scope(index: SourceIndex, node: cst.CSTNode) -> object | None:
    """The scope of `node`, or of the function around the comprehension it is in."""
    scope = index.scope_of(node)
    while isinstance(scope, ComprehensionScope):
        scope = scope.parent
    return scope


def _names(module: cst.Module) -> list[cst.Name]:
    found: list[cst.Name] = []

    class Finder(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            found.append(node)

    module.visit(Finder())
    return found


class _Apply(cst.CSTTransformer):
    """Replaces expressions, and puts statements before and after others."""

    def __init__(
        self,
        replacements: dict[cst.CSTNode, cst.CSTNode],
        before: dict[cst.CSTNode, cst.BaseStatement] | None = None,
        after: dict[cst.CSTNode, cst.BaseStatement] | None = None,
    ) -> None:
        self.replacements, self.before, self.after = replacements, before or {}, after or {}

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode | cst.FlattenSentinel[cst.CSTNode]:  # type: ignore[override]
        if original in self.replacements:
            return self.replacements[original]
        if not isinstance(updated, cst.BaseStatement) or (original not in self.before and original not in self.after):
            return updated
        statements: list[cst.BaseStatement] = [updated]
        if original in self.before:  # the statement's comments move above the new one
            first = self.before[original].with_changes(leading_lines=getattr(updated, "leading_lines", ()))
            statements = [first, updated.with_changes(leading_lines=[])]
        if original in self.after:
            statements.append(self.after[original])
        return cst.FlattenSentinel(statements)


EXAMPLES = (
    Example(
        before=(
            "h = base.output\n"
            "for layer in head.layers[1:]:\n"
            "    h = layer(h)\n"
            "full = Model(base.input, h)\n"
            "m = Model(full.input, full.layers[-2].output)\n"
        ),
        plan=KeepReapplied(Span(5, 4, 5, 45), (Span(5, 22, 5, 44),), Span(3, 8, 3, 16)),
        after=(
            "h = base.output\n"
            "reapplied_outputs = {}  # each layer's latest output, by layer name\n"
            "for layer in head.layers[1:]:\n"
            "    h = layer(h)\n"
            "    reapplied_outputs[layer.name] = h\n"
            "full = Model(base.input, h)\n"
            "m = Model(full.input, reapplied_outputs.get(full.layers[-2].name, full.layers[-2].output))\n"
        ),
        note="head layers re-applied in a loop: each keeps the output of its call in the new graph",
    ),
    Example(
        before=(
            "a_vec = proj(a_in)\n"
            "b_vec = proj(b_in)\n"
            "b_encoder = Model(b_in, proj.output)\n"
        ),
        plan=ReadReapplied(Span(3, 12, 3, 36), ((Span(3, 24, 3, 35), "b_vec"),)),
        after=(
            "a_vec = proj(a_in)\n"
            "b_vec = proj(b_in)\n"
            "b_encoder = Model(b_in, b_vec)\n"
        ),
        note="a shared layer's second call: its result is named where the model is built",
    ),
)
UNCHANGED = (
    Example(
        before=(
            "for layer in head.layers:\n"
            "    h = Activation('relu')(layer(h))\n"
            "m = Model(x, head.layers[0].output)\n"
        ),
        plan=KeepReapplied(Span(3, 4, 3, 35), (Span(3, 13, 3, 34),), Span(2, 27, 2, 35)),
        note="the later call's result is not bound to a name: there is nothing to keep",
    ),
)
