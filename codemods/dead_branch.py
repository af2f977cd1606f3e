"""GF102 dead-branch (silent).

A layer's output is computed, bound to a name that is never read, and never reaches any model
output, while the next layer of the same chain consumes that layer's own *input*: the decoder
of an autoencoder wired to ``input_img`` instead of ``encoded``. Keras builds the model without
a word; the skipped layer is never trained.

Symptom: none at run time. ``model.summary()`` lacks the layer; its weights never change.

Detection needs both kinds of evidence: the construction trace shows a layer call whose output
no layer and no model uses, and a later call, inside the model, reading the same input tensor;
the source shows the dead output's name is never read. When the input the two calls share is
not bound to a name, the fault is reported without a rewrite.

Fix: the consumer reads the dead tensor instead (``Dense(784)(input_img)`` becomes
``Dense(784)(encoded)``): the named layer then takes part in the model, and it is what the chain
of names says the author meant. The first later call is the preferred candidate; any other
later call inside a model that reads the same input is a further one. The engine probes each;
when several verify and build different models its criteria cannot rank, nothing is written.

Also silent: a ``Model`` whose input is an intermediate tensor rather than an ``Input`` (both
flavours accept it and drop the layers before it). When that tensor comes from exactly one
``Input`` bound to a name, the model is built from that ``Input``.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.edits import call_at, defined_before, model_arg, names_in, rewrite
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.graph import ConstructionGraph, Proposal, TensorNames
from graphfix.source import SourceIndex


@dataclass(frozen=True)
class RewireConsumer(Plan):
    """The call at `consumer` reads `new` (the dead tensor) where it read `old`."""

    consumer: Span
    old: str
    new: str

    def describe(self) -> str:
        return f"rewire consumer: the call at line {self.consumer.line} reads `{self.new}` instead of `{self.old}`"


@dataclass(frozen=True)
class ModelInput(Plan):
    """The model built at `model` takes the Input `new` instead of the intermediate tensor `old`."""

    model: Span
    old: str
    new: str

    def describe(self) -> str:
        return f"model input: the model at line {self.model.line} is built from `{self.new}`, not `{self.old}`"


class DeadBranch(FaultRule):
    code = "GF102"
    name = "dead-branch"
    summary = "a layer's output never reaches the model (the next layer reads its input instead)"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        graph = ConstructionGraph(evidence)
        built = [m for m in evidence.models if m.ok]
        if not built:
            return []
        in_models: set[int] = set()
        for model in built:
            in_models |= graph.ancestors(model.outputs)
        faults: list[Fault] = []
        for dead in evidence.calls:
            if dead.span is None or len(dead.inputs) != 1 or len(dead.outputs) != 1:
                continue
            out = dead.outputs[0]
            if graph.used(out) or out in in_models:
                continue
            dead_name = index.name_bound_at(dead.span)
            if dead_name is None or dead_name == "_" or _is_read(index, dead.span, dead_name):
                continue
            source = dead.inputs[0]
            later = [c for c in graph.consumers.get(source, []) if c.index > dead.index and c.span is not None]
            if not later:
                continue
            consumer = later[0]
            if not any(t in in_models for t in consumer.outputs) or consumer.uid == dead.uid:
                continue
            others = [
                c for c in later[1:] if c.uid != dead.uid and c.span != consumer.span and any(t in in_models for t in c.outputs)
            ]
            producer = graph.producer(source)
            tensor = graph.tensor(source)
            source_span = producer.span if producer is not None else (tensor.input_span if tensor else None)
            source_name = index.name_bound_at(source_span)
            line, col = consumer.span.line, consumer.span.col + 1  # type: ignore[union-attr]
            lead = f"`{dead_name}` is computed but never used; the next layer reads `{source_name or 'its input'}` instead"
            if source_name is None:
                faults.append(self.fault(line, col, f"{lead} (cannot tell which argument to rewire)"))
                continue
            spans: list[Span] = []
            for call in (consumer, *others):
                if call.span is not None and call.span not in spans:
                    spans.append(call.span)
            repairs = tuple(RewireConsumer(span, source_name, dead_name) for span in spans)
            faults.append(self.fault(line, col, f"{lead}: that layer is never trained", repairs=repairs))
        faults.extend(self._intermediate_inputs(graph, index))
        return faults

    def _intermediate_inputs(self, graph: ConstructionGraph, index: SourceIndex) -> list[Fault]:
        faults: list[Fault] = []
        for model in graph.evidence.models:
            if not model.ok or model.span is None or len(model.inputs) != 1:
                continue
            tid = model.inputs[0]
            producer = graph.producer(tid)
            if producer is None:
                continue
            name = index.name_bound_at(producer.span)
            call = index.node_at(model.span)
            argument = model_arg(call, 0, "inputs") if isinstance(call, cst.Call) else None
            if name is None or argument is None or not (isinstance(argument.value, cst.Name) and argument.value.value == name):
                continue  # e.g. `Model(base.output, head)`: a deliberate model on another's features
            roots = [r for r in graph.roots([tid]) if (t := graph.tensor(r)) is not None and t.is_input]
            line, col = model.span.line, model.span.col + 1
            lead = f"model input `{name or 'tensor'}` is an intermediate tensor, not an Input: the layers before it are dropped"
            root_name = index.name_bound_at(graph.tensors[roots[0]].input_span) if len(roots) == 1 else None
            if name is None or root_name is None:
                faults.append(self.fault(line, col, lead))
                continue
            plan = ModelInput(model.span, name, root_name)
            faults.append(self.fault(line, col, f"{lead}; build it from `{root_name}`", repairs=(plan,)))
        return faults

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if isinstance(plan, RewireConsumer):
            call = call_at(index, plan.consumer)
            target: cst.CSTNode = call
        elif isinstance(plan, ModelInput):
            call = call_at(index, plan.model)
            argument = model_arg(call, 0, "inputs")
            if argument is None:
                raise Skip("the model call names no inputs")
            target = argument.value
        else:
            raise Skip(f"not a {self.code} plan: {type(plan).__name__}")
        if not defined_before(index, plan.new, call):
            raise Skip(f"`{plan.new}` is not defined before line {index.range(call).start.line}")
        found = names_in(target, plan.old)
        if len(found) != 1:
            raise Skip(f"`{plan.old}` is not a single argument of the call at line {index.range(call).start.line}")
        return rewrite(index, {found[0]: cst.Name(plan.new)})

    def proposals(self, fault: Fault, plan: Plan, graph: ConstructionGraph, names: TensorNames) -> list[Proposal]:
        """The dead tensor into the consumer (replacing the shared input), or the Input into the
        model (replacing the intermediate tensor)."""
        evidence = graph.evidence
        if isinstance(plan, RewireConsumer):
            consumer = next((c for c in evidence.calls if c.span == plan.consumer), None)
            if consumer is None:
                return []
            old = names.tensor_named(plan.old, graph, consumer.inputs)
            if old is None:
                return []
            # the dead tensor: computed from the same input, bound to the new name
            siblings = [t for c in graph.consumers.get(old, []) if c.index != consumer.index for t in c.outputs]
            new = names.tensor_named(plan.new, graph, siblings)
            if new is None:
                return []
            label = f"proposed: {plan.new}"
            return [Proposal(graph.node_id(new), f"c{consumer.index}", label, replaces=graph.node_id(old))]
        if isinstance(plan, ModelInput):
            model = next((m for m in evidence.models if m.span == plan.model), None)
            if model is None or len(model.inputs) != 1:
                return []
            roots = [r for r in graph.roots([model.inputs[0]]) if (t := graph.tensor(r)) is not None and t.is_input]
            root = names.tensor_named(plan.new, graph, roots)
            if root is None:
                return []
            target = f"m{evidence.models.index(model)}"
            label = f"proposed input: {plan.new}"
            return [Proposal(f"t{root}", target, label, replaces=graph.node_id(model.inputs[0]))]
        return []

    EXAMPLES = (
        Example(
            before=(
                "x = Input(shape=(784,))\n"
                "encoded = Dense(32)(x)\n"
                "decoded = Dense(784)(x)  # decoder\n"
                "ae = Model(x, decoded)\n"
            ),
            plan=RewireConsumer(Span(3, 10, 3, 23), old="x", new="encoded"),
            after=(
                "x = Input(shape=(784,))\n"
                "encoded = Dense(32)(x)\n"
                "decoded = Dense(784)(encoded)  # decoder\n"
                "ae = Model(x, decoded)\n"
            ),
        ),
        Example(
            before="inp = Input((8,))\nh = Dense(4)(inp)\nout = Dense(1)(h)\nm = Model(inputs=h, outputs=out)\n",
            plan=ModelInput(Span(4, 4, 4, 32), old="h", new="inp"),
            after="inp = Input((8,))\nh = Dense(4)(inp)\nout = Dense(1)(h)\nm = Model(inputs=inp, outputs=out)\n",
        ),
    )
    UNCHANGED = (
        Example(
            before="decoded = Dense(784)(x)\nencoded = Dense(32)(x)\n",
            plan=RewireConsumer(Span(1, 10, 1, 23), old="x", new="encoded"),
            note="the dead tensor is computed after the consumer: rewiring would read an undefined name",
        ),
    )


def _is_read(index: SourceIndex, span: Span, name: str) -> bool:
    """Whether the variable assigned at `span` is ever read (in its scope or nested ones)."""
    node = index.node_at(span)
    if node is None:
        return True
    scope = index.scope_of(node)
    if scope is None:
        return True
    for assignment in scope.assignments[name]:
        if assignment.references:
            return True
    return False
