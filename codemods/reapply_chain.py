"""GF101's reapply-chain repair: a model cut out of a trained one, on an Input of its own.

A decoder taken from a trained autoencoder as ``Model(latent_in, autoencoder.layers[-1].output)``
(or ``get_layer("out").output``) cannot be built: that output tensor was computed from the
autoencoder's Input, not from ``latent_in``. The decoder is the chain of layers after the point
of the autoencoder's graph that has ``latent_in``'s shape; calling those same layer objects on
``latent_in`` builds it, with the trained weights shared:
``Model(latent_in, ae.get_layer("out")(ae.get_layer("hidden")(latent_in)))``.

Offered when the model has one output, an Input nothing reads, and exactly one tensor on the
single-input chain of layer calls that ends at the output has that Input's shape. Layers of a
Sequential whose names Keras made up (the source never spells them) are reached by position,
``seq.layers[-2]``, as the program itself reaches them.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from codemods.base import Example, Skip
from codemods.edits import call_at, model_arg, rewrite
from graphfix.ftypes import LayerCall, ModelBuild, Plan, Span
from graphfix.graph import ConstructionGraph, same_shape
from graphfix.source import SourceIndex


@dataclass(frozen=True)
class ReapplyChain(Plan):
    model: Span
    start: str  # the model's unused Input, where the chain now starts
    owner: str  # the built model that holds the layers
    layers: tuple[str, ...]  # the layers' names, first applied first
    positions: tuple[int, ...] = ()  # or their places in a Sequential's `layers` (negative), for names Keras made up

    def describe(self) -> str:
        chain = ", ".join(f"`{name}`" for name in self.layers)
        return f"reapply chain: {chain} of `{self.owner}` called on `{self.start}`"


def reapply_chain(graph: ConstructionGraph, model: ModelBuild, orphans: set[int]) -> list[Plan]:
    if model.span is None or len(model.outputs) != 1:
        return []
    names = {tid: name for name, tid in sorted(model.names.items(), reverse=True) if name.isidentifier()}
    unused = [t for t in model.inputs if not graph.used(t) and t in names]
    if len(unused) != 1:
        return []
    start = graph.tensor(unused[0])
    chain: list[str] = []
    calls: list[LayerCall] = []
    matches: list[tuple[str, ...]] = []
    tensor = model.outputs[0]
    while (producer := graph.producer(tensor)) is not None and len(producer.inputs) == 1 and len(producer.outputs) == 1:
        chain.insert(0, producer.layer)
        calls.insert(0, producer)
        tensor = producer.inputs[0]
        if tensor not in orphans and same_shape(graph.tensor(tensor), start):
            matches.append(tuple(chain))
    if len(matches) != 1 or not graph.roots([tensor]) <= orphans:
        return []
    layers = matches[0]
    needed = {t for c in calls[-len(layers):] for t in c.outputs}
    holders = [m for m in graph.evidence.models if m.ok and needed <= graph.ancestors(m.outputs) | set(m.outputs)]
    # a Sequential's layers are called where it is built (tf-keras records no functional model for it)
    chain_spans = {c.span for c in calls[-len(layers):]}
    stacks = {s.uid: s.span for s in graph.evidence.sequentials if s.span is not None and chain_spans == {s.span}}
    uids = {m.uid for m in holders} | set(stacks)
    owners = sorted(name for name, uid in model.objects.items() if uid in uids)
    if not owners or len(set(layers)) != len(layers):
        return []
    positions: tuple[int, ...] = ()
    if model.objects[owners[0]] in stacks:
        span = stacks[model.objects[owners[0]]]
        stack = [c.layer for c in sorted(graph.calls, key=lambda c: c.index) if c.span == span and c.outputs]
        if stack[-len(layers):] == list(layers):
            positions = tuple(range(-len(layers), 0))
    return [ReapplyChain(model.span, names[unused[0]], owners[0], layers, positions)]


def transform(index: SourceIndex, plan: ReapplyChain) -> str:
    call = call_at(index, plan.model)
    outputs = model_arg(call, 1, "outputs")
    if outputs is None:
        raise Skip("the model call has no outputs argument")
    value = outputs.value
    if isinstance(value, (cst.List, cst.Tuple)):
        if len(value.elements) != 1:
            raise Skip("the model has several outputs")
        value = value.elements[0].value
    expression = plan.start
    spelled = {s.evaluated_value for s in m.findall(index.module, m.SimpleString()) if isinstance(s, cst.SimpleString)}
    by_position = bool(plan.positions) and not all(name in spelled for name in plan.layers)
    for at, name in enumerate(plan.layers):
        layer = f"{plan.owner}.layers[{plan.positions[at]}]" if by_position else f'{plan.owner}.get_layer("{name}")'
        expression = f"{layer}({expression})"
    return rewrite(index, {value: cst.parse_expression(expression)})


EXAMPLES = (
    Example(
        before=(
            "z = Input((4,))\n"
            "decoder = Model(z, ae.layers[-1].output)\n"
        ),
        plan=ReapplyChain(Span(2, 10, 2, 40), "z", "ae", ("hidden", "out")),
        after=(
            "z = Input((4,))\n"
            'decoder = Model(z, ae.get_layer("out")(ae.get_layer("hidden")(z)))\n'
        ),
    ),
    Example(
        before="z = Input((4,))\ndecoder = Model(z, seq.layers[-1].output)\n",
        plan=ReapplyChain(Span(2, 10, 2, 41), "z", "seq", ("dense_1", "dense_2"), (-2, -1)),
        after="z = Input((4,))\ndecoder = Model(z, seq.layers[-1](seq.layers[-2](z)))\n",
        note="names Keras made up: by position in the Sequential",
    ),
)

UNCHANGED = (
    Example(
        before="z = Input((4,))\ndecoder = Model(z, [ae.layers[-1].output, ae.layers[-2].output])\n",
        plan=ReapplyChain(Span(2, 10, 2, 65), "z", "ae", ("hidden", "out")),
        note="several outputs: one chain cannot stand for them",
    ),
)
