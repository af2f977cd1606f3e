"""GF101 disconnected-input.

A model's outputs depend on an ``Input`` that is not among the model's inputs, typically an
autoencoder whose decoder was built on its own ``Input(shape=(latent,))`` and then
``Model(encoder_input, decoded)``.

Symptom: Keras 3 raises ``ValueError: Output with path `` is not connected to `inputs```;
tf-keras raises ``ValueError: Graph disconnected: cannot obtain value for tensor ...``.

Detection reads the recorded construction graph, not the message: walking back from the model's
outputs reaches an ``Input`` tensor that is not one of the model's inputs (the orphan). Where the
model is built (a helper, a method, a loop) does not matter: the probe recorded the spans.

Fix: the rule proposes every repair that fits the evidence; the engine probes each and keeps the
one the program runs best with (see ``graphfix explain``'s engine notes). Repairs that change a
model's inputs (add-input, root-inputs) build a different model and win only on evidence.
Safety is judged from the probes, not the repair kind: a fix is unsafe (shown, written only with
``--unsafe-fixes``) when a model that built before it has other inputs or outputs after it, or no
longer builds. GF101's repairs change the model that could not be built, so they are safe unless
they also change a model that did build (add-input and root-inputs change what the new model
takes; cut-before-join what it gives: each is verified by the program running to the end).

- rewire: the orphan is replaced, at its points of use, by a tensor computed from the model's
  inputs with the orphan's shape (one candidate per such named tensor, a computed-but-unused one
  first), and the orphan ``Input`` definition is removed once nothing reads it. Every layer
  keeps its weights; only where the decoder's first layer reads from changes.
- compose: the orphan is the only input of a sub-model built on its own
  (``decoder = Model(latent_in, out)``) whose outputs are the failing model's: the outputs become
  ``decoder(encoded)``; the sub-model stays usable and the combined model shares its weights.
- compose-submodels: the failing model reads ``sub.output`` of separately built models (towers,
  a discriminator) whose own Inputs are the orphans: each such read becomes ``sub(t)``, with
  ``t`` a tensor of the right shape from the failing model's inputs (an unused Input first).
- add-input: the orphan is a genuine second input: it joins the model's inputs. Offered when the
  program already feeds the model one array more than it has inputs, or when nothing computed
  could stand for the orphan; a model the program feeds with data for fewer inputs is refused
  (the program has no data for the new input).
- input-as-parameter: the orphans are Inputs a helper function makes for itself, once per
  call, while the model's own Inputs go unused: the helper takes the tensor as a parameter
  instead (parameters only its Input read are dropped) and each call passes an unused model
  Input of the right shape, in order.
- cut-before-join: the orphan (a label, a second stream) only joins at the last layers, and the
  model is meant to stop before them (an embedding cut from a model trained with a margin
  head): the output becomes the tensor, computed from the model's inputs alone, that the
  joining layer reads, named in the source or as `m.get_layer("name").output`.
- read-reapplied, keep-reapplied: the model reads ``layer.output`` of a layer that a later call
  applied to the model's own graph (a trained head re-applied in a loop, a shared layer's second
  input); ``.output`` is the first call's. The read becomes the later call's result: its name,
  or a dict the re-applying statement fills by layer name (``codemods/reapplied_output.py``).
  The orphan is then no input the model lacks: root-inputs and add-input are not offered.
- root-inputs: none of the model's inputs is connected to its outputs (it was given another
  model's Input, or fresh Inputs nothing was called on): the model is built from the Inputs its
  outputs really come from.
- skip-inputs: the model (a decoder) also reads tensors computed inside another model that built
  (an encoder's skip connections): the encoder also outputs them, and the decoder takes an
  ``Input`` shaped like each, read where the skip was (see ``codemods/skip_inputs.py``). It
  changes both models' signatures on purpose; the engine allows the encoder to gain outputs.
- reapply-chain: a model cut from a trained one on an Input of its own (a decoder from an
  autoencoder's last layer output): the layers after the point with that Input's shape are
  called again on it, by name, weights shared (see ``codemods/reapply_chain.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.edits import (
    call_at,
    defined_before,
    model_arg,
    remaining_reads,
    removable_assignment,
    rewrite,
)
from codemods.reapplied_output import EXAMPLES as REAPPLIED_EXAMPLES
from codemods.reapplied_output import UNCHANGED as REAPPLIED_UNCHANGED
from codemods.reapplied_output import KeepReapplied, ReadReapplied, reapplied_outputs
from codemods.reapplied_output import transform as reapplied_transform
from codemods.reapply_chain import EXAMPLES as CHAIN_EXAMPLES
from codemods.reapply_chain import UNCHANGED as CHAIN_UNCHANGED
from codemods.reapply_chain import ReapplyChain, reapply_chain
from codemods.reapply_chain import transform as reapply_chain_transform
from codemods.skip_inputs import EXAMPLES as SKIP_EXAMPLES
from codemods.skip_inputs import UNCHANGED as SKIP_UNCHANGED
from codemods.skip_inputs import SkipInputs, skip_inputs
from codemods.skip_inputs import transform as skip_inputs_transform
from graphfix.ftypes import Evidence, Fault, ModelBuild, Plan, Span
from graphfix.graph import ConstructionGraph, Proposal, TensorNames, disconnected_models, orphan_inputs, same_shape
from graphfix.source import SourceIndex

FEEDING_METHODS = ("fit", "evaluate", "predict", "train_on_batch", "test_on_batch", "predict_on_batch")


@dataclass(frozen=True)
class Rewire(Plan):
    orphan: str
    orphan_def: Span
    replacement: str
    uses: tuple[Span, ...]

    def describe(self) -> str:
        return f"rewire: read `{self.replacement}` where `{self.orphan}` is read, drop `{self.orphan}`"


@dataclass(frozen=True)
class Compose(Plan):
    model: Span
    submodel: str
    replacement: str

    def describe(self) -> str:
        return f"compose: the model's outputs become `{self.submodel}({self.replacement})`"


@dataclass(frozen=True)
class ComposeSubmodels(Plan):
    model: Span
    calls: tuple[tuple[str, str], ...]  # (sub-model expression, tensor expression to call it on)

    def describe(self) -> str:
        return "compose sub-models: " + ", ".join(f"`{sub}.output` -> `{sub}({arg})`" for sub, arg in self.calls)


@dataclass(frozen=True)
class AddInput(Plan):
    changes_inputs: ClassVar[bool] = True
    model: Span
    model_name: str | None  # the variable the model is bound to, to find where it is fed
    orphans: tuple[str, ...]

    def describe(self) -> str:
        return "add input: " + ", ".join(f"`{o}`" for o in self.orphans) + " joins the model's inputs"


@dataclass(frozen=True)
class InputAsParameter(Plan):
    function: str  # the helper that makes its own Input
    orphan: str
    orphan_def: Span
    calls: tuple[tuple[Span, str], ...]  # each call of the helper, and the tensor it now passes

    def describe(self) -> str:
        passed = ", ".join(f"`{arg}`" for _, arg in self.calls)
        return f"input as parameter: `{self.function}` takes `{self.orphan}` instead of making it; callers pass {passed}"


@dataclass(frozen=True)
class CutBeforeJoin(Plan):
    model: Span
    output: str  # the tensor, computed from the model's inputs alone, that meets the orphan

    def describe(self) -> str:
        return f"cut before the join: the model's output becomes `{self.output}`"


@dataclass(frozen=True)
class RootInputs(Plan):
    changes_inputs: ClassVar[bool] = True
    model: Span
    roots: tuple[str, ...]

    def describe(self) -> str:
        return "root inputs: build the model from " + ", ".join(f"`{r}`" for r in self.roots)


class DisconnectedInput(FaultRule):
    code = "GF101"
    name = "disconnected-input"
    summary = "model outputs depend on an Input that is not among the model's inputs"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        graph = ConstructionGraph(evidence)
        faults: list[Fault] = []
        for model, orphans, nested in disconnected_models(graph):
            if nested is not None:
                continue  # GF103 nested-model-output
            site = _Site(graph, index, model)
            shared = site.model_repairs(orphans)
            for orphan in sorted(orphans):
                faults.append(self._diagnose(site, orphan, shared))
        return faults

    def _diagnose(self, site: _Site, orphan: int, shared: tuple[Plan, ...]) -> Fault:
        graph, index, model = site.graph, site.index, site.model
        assert model.span is not None
        line, col = model.span.line, model.span.col + 1
        orphan_tensor = graph.tensor(orphan)
        assert orphan_tensor is not None
        orphan_name = index.name_bound_at(orphan_tensor.input_span) or site.visible_name(orphan) or "an Input"
        shown = orphan_name if orphan_name != "an Input" else site.expression_for(orphan) or orphan_name
        lead = f"input `{shown}` {shape_text(orphan_tensor.shape)} is not connected to the model inputs"
        named = site.replacements(orphan, orphan_name)
        repairs: list[Plan] = []
        submodel = next(
            (m for m in graph.evidence.models if m.ok and m.inputs == (orphan,) and set(model.outputs) <= set(m.outputs)),
            None,
        )
        sub_name = index.name_bound_at(submodel.span) if submodel is not None and submodel.span is not None else None
        if sub_name is not None and len(model.outputs) == 1:
            repairs.extend(Compose(model.span, sub_name, name) for _, name in named[:2])
        scope = site.orphan_scope(orphan)
        uses = _loads(index, scope, orphan_name) if scope is not None and orphan_name != "an Input" else None
        if uses and orphan_tensor.input_span is not None:
            spans = tuple(index.span_of(n) for n in uses)
            repairs.extend(Rewire(orphan_name, orphan_tensor.input_span, name, spans) for _, name in named[:3])
        repairs.extend(shared)
        reapplied = next((p for p in shared if isinstance(p, KeepReapplied)), None)
        if reapplied is not None:
            message = f"{lead}: `.output` is a layer's first call's output, and the layer was called again at line {reapplied.call.line}"
        elif len(named) == 1:
            message = f"{lead}; `{named[0][1]}` {shape_text(graph.tensor(named[0][0]).shape)} fits"  # type: ignore[union-attr]
        elif named:
            message = f"{lead}; candidates: " + ", ".join(f"`{n}`" for _, n in named)
        else:
            message = f"{lead}; nothing computed from the model inputs has its shape"
        return self.fault(line, col, message, repairs=tuple(repairs), candidates=tuple(n for _, n in named))

    def proposals(self, fault: Fault, plan: Plan, graph: ConstructionGraph, names: TensorNames) -> list[Proposal]:
        """For `--graph`: the replacement tensor into the orphan's consumers (rewire), or into
        the sub-model's first layers (compose)."""
        evidence = graph.evidence
        if not isinstance(plan, (Rewire, Compose)):
            return []
        model = _model_for(evidence, fault.line, fault.col, plan.model if isinstance(plan, Compose) else None)
        if model is None:
            return []
        orphans = sorted(orphan_inputs(graph, model))
        candidates = graph.descendants(model.inputs)
        if isinstance(plan, Rewire):
            orphan = model.names.get(plan.orphan)
            if orphan not in orphans:
                orphan = names.tensor_named(plan.orphan, graph, orphans)
            if orphan is None:
                at = [r for r in orphans if (t := graph.tensor(r)) is not None and t.input_span == plan.orphan_def]
                orphan = at[0] if len(at) == 1 else None
            consumers = (
                [c for c in graph.consumers.get(orphan, []) if c.span is not None and any(_contains(c.span, u) for u in plan.uses)]
                if orphan is not None
                else []
            )
            label = f"proposed: {plan.replacement}"
        else:
            sub = next(
                (m for m in evidence.models if m.ok and len(m.inputs) == 1 and m.inputs[0] in orphans and set(model.outputs) <= set(m.outputs)),
                None,
            )
            orphan = sub.inputs[0] if sub is not None else None
            consumers = list(graph.consumers.get(orphan, [])) if orphan is not None else []
            label = f"proposed: {plan.submodel}({plan.replacement})"
        if orphan is None or not consumers:
            return []
        tid = model.names.get(plan.replacement)
        if tid not in candidates:
            tid = names.tensor_named(plan.replacement, graph, candidates)
        if tid is None or not same_shape(graph.tensor(tid), graph.tensor(orphan)):
            return []
        return [Proposal(graph.node_id(tid), f"c{c.index}", label, replaces=f"t{orphan}") for c in consumers]

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if isinstance(plan, Rewire):
            return _rewire(index, plan)
        if isinstance(plan, Compose):
            return _compose(index, plan)
        if isinstance(plan, ComposeSubmodels):
            return _compose_submodels(index, plan)
        if isinstance(plan, AddInput):
            return _add_input(index, plan)
        if isinstance(plan, RootInputs):
            return _root_inputs(index, plan)
        if isinstance(plan, InputAsParameter):
            return _input_as_parameter(index, plan)
        if isinstance(plan, CutBeforeJoin):
            return _cut_before_join(index, plan)
        if isinstance(plan, (ReadReapplied, KeepReapplied)):
            return reapplied_transform(index, plan)
        if isinstance(plan, SkipInputs):
            return skip_inputs_transform(index, plan)
        if isinstance(plan, ReapplyChain):
            return reapply_chain_transform(index, plan)
        raise Skip(f"not a {self.code} plan: {plan.kind}")

    EXAMPLES = (
        Example(
            before=(
                "inp = keras.Input(shape=(64,))\n"
                "code = layers.Dense(8)(inp)\n"
                "# the decoder\n"
                "z = keras.Input(shape=(8,))\n"
                "out = layers.Dense(64)(z)\n"
                "model = keras.Model(inp, out)\n"
            ),
            plan=Rewire("z", Span(4, 4, 4, 27), "code", (Span(5, 23, 5, 24),)),
            after=(
                "inp = keras.Input(shape=(64,))\n"
                "code = layers.Dense(8)(inp)\n"
                "# the decoder\n"
                "out = layers.Dense(64)(code)\n"
                "model = keras.Model(inp, out)\n"
            ),
        ),
        Example(
            before=(
                "x = Input((4,))\n"
                "h = Dense(2)(x)\n"
                "z = Input((2,))\n"
                "dec = Model(z, Dense(4)(z))\n"
                "ae = Model(x, dec.output)\n"
            ),
            plan=Compose(Span(5, 5, 5, 25), "dec", "h"),
            after=(
                "x = Input((4,))\n"
                "h = Dense(2)(x)\n"
                "z = Input((2,))\n"
                "dec = Model(z, Dense(4)(z))\n"
                "ae = Model(x, dec(h))\n"
            ),
        ),
        Example(
            before=(
                "a = Input((3,))\n"
                "b = Input((2,))\n"
                "out = Dense(1)(Concatenate()([a, b]))\n"
                "m = Model(inputs=[a], outputs=out)  # scores pairs\n"
            ),
            plan=AddInput(Span(4, 4, 4, 34), "m", ("b",)),
            after=(
                "a = Input((3,))\n"
                "b = Input((2,))\n"
                "out = Dense(1)(Concatenate()([a, b]))\n"
                "m = Model(inputs=[a, b], outputs=out)  # scores pairs\n"
            ),
        ),
        Example(
            before=(
                "tower = Sequential([Input((4,)), Dense(2)])\n"
                "x = Input((4,))\n"
                "head = Dense(1)(tower.output)\n"
                "m = Model(x, head)\n"
            ),
            plan=ComposeSubmodels(Span(4, 4, 4, 18), (("tower", "x"),)),
            after=(
                "tower = Sequential([Input((4,)), Dense(2)])\n"
                "x = Input((4,))\n"
                "head = Dense(1)(tower(x))\n"
                "m = Model(x, head)\n"
            ),
        ),
        Example(
            before=(
                "base = build_backbone()\n"
                "fresh = Input((8,))\n"
                "m = Model(fresh, Dense(2)(base.output))\n"
            ),
            plan=RootInputs(Span(3, 4, 3, 39), ("base.input",)),
            after=(
                "base = build_backbone()\n"
                "fresh = Input((8,))\n"
                "m = Model(base.input, Dense(2)(base.output))\n"
            ),
        ),
        Example(
            before=(
                "def branch(n, width):\n"
                "    x = Input((n,))\n"
                "    return Dense(width)(x)\n"
                "left, right = Input((4,)), Input((4,))\n"
                "out = Add()([branch(4, width=2), branch(4, 2)])\n"
                "m = Model([left, right], out)\n"
            ),
            plan=InputAsParameter("branch", "x", Span(2, 8, 2, 19), ((Span(5, 13, 5, 31), "left"), (Span(5, 33, 5, 45), "right"))),
            after=(
                "def branch(x, width):\n"
                "    return Dense(width)(x)\n"
                "left, right = Input((4,)), Input((4,))\n"
                "out = Add()([branch(left, width=2), branch(right, 2)])\n"
                "m = Model([left, right], out)\n"
            ),
        ),
        Example(
            before=(
                "m = build()\n"
                "m.fit([x, labels], labels)\n"
                "m = Model(inputs=m.input[0], outputs=[m.output])  # for retrieval\n"
            ),
            plan=CutBeforeJoin(Span(3, 4, 3, 48), 'm.get_layer("embedding").output'),
            after=(
                "m = build()\n"
                "m.fit([x, labels], labels)\n"
                'm = Model(inputs=m.input[0], outputs=[m.get_layer("embedding").output])  # for retrieval\n'
            ),
        ),
    ) + SKIP_EXAMPLES + REAPPLIED_EXAMPLES + CHAIN_EXAMPLES
    UNCHANGED = (
        Example(
            before=(
                "def branch(n, width):\n"
                "    x = Input((n,))\n"
                "    return Dense(width)(x)\n"
                "a = Input((4,))\n"
                "m = Model(a, branch(4, width=2))\n"
                "m2 = Model(a, branch(4, width=3))\n"
            ),
            plan=InputAsParameter("branch", "x", Span(2, 8, 2, 19), ((Span(5, 13, 5, 31), "a"),)),
            note="the helper is called more often than the plan has tensors for: other callers would break",
        ),
        Example(
            before=(
                "z = keras.Input(shape=(8,))\n"
                "out = layers.Dense(64)(z)\n"
                "code = layers.Dense(8)(inp)\n"
            ),
            plan=Rewire("z", Span(1, 4, 1, 27), "code", (Span(2, 23, 2, 24),)),
            note="the replacement is computed after the use: rewiring would read an undefined name",
        ),
        Example(
            before=(
                "a = Input((3,))\n"
                "b = Input((2,))\n"
                "m = Model(a, Dense(1)(Concatenate()([a, b])))\n"
                "m.fit(xa, y)\n"
            ),
            plan=AddInput(Span(3, 4, 3, 45), "m", ("b",)),
            note="the program feeds the model one array: it has no data for the added input",
        ),
    ) + SKIP_UNCHANGED + REAPPLIED_UNCHANGED + CHAIN_UNCHANGED


class _Site:
    """The failing model and what the source can name around it."""

    def __init__(self, graph: ConstructionGraph, index: SourceIndex, model: ModelBuild) -> None:
        self.graph, self.index, self.model = graph, index, model
        assert model.span is not None
        self.call = index.node_at(model.span)
        self.scope = index.scope_of(self.call) if self.call is not None else None
        self.model_name = index.name_bound_at(model.span)

    def visible_name(self, tid: int) -> str | None:
        """A name for the tensor that the model's own frame can read."""
        for name in sorted(n for n, t in self.model.names.items() if t == tid):
            if self.scope is not None and len(self.scope.assignments[name]) == 1:
                return name
        return None

    def orphan_scope(self, orphan: int) -> object | None:
        tensor = self.graph.tensor(orphan)
        node = self.index.node_at(tensor.input_span) if tensor is not None and tensor.input_span is not None else None
        return self.index.scope_of(node) if node is not None else None

    def replacements(self, orphan: int, orphan_name: str) -> list[tuple[int, str]]:
        """Named tensors computed from the model's inputs, shaped like the orphan, that the
        orphan's scope can read; computed-but-unused ones first."""
        graph, model, index = self.graph, self.model, self.index
        orphan_tensor = graph.tensor(orphan)
        scope = self.orphan_scope(orphan)
        same_frame = scope is not None and scope is self.scope
        named: list[tuple[int, str]] = []
        for tid in sorted(graph.descendants(model.inputs) - graph.descendants([orphan]) - set(model.inputs)):
            producer = graph.producer(tid)
            if producer is None or not same_shape(graph.tensor(tid), orphan_tensor):
                continue
            name = self.visible_name(tid) if same_frame else None
            name = name or index.name_bound_at(producer.span)
            if name is not None and name != orphan_name:
                named.append((tid, name))
        return sorted(named, key=lambda item: graph.used(item[0]))

    def expression_for(self, tid: int) -> str | None:
        """Source that evaluates to the tensor at the model's call: a name, or `m.input` /
        `m.output` of a model that built with it."""
        name = self.visible_name(tid)
        if name is not None:
            return name
        tensor = self.graph.tensor(tid)
        if tensor is not None and tensor.is_input and tensor.input_span is not None:
            bound = self.index.name_bound_at(tensor.input_span)
            node = self.index.node_at(tensor.input_span)
            if bound is not None and node is not None and self.index.scope_of(node) is self.scope:
                return bound
        for other in self.graph.evidence.models:
            if not other.ok or other.span is None:
                continue
            owner = self.object_name(other.uid) or self._bound_here(other.span)
            if owner is None:
                continue
            for attr, tensors in (("input", other.inputs), ("output", other.outputs)):
                if tid in tensors:
                    return f"{owner}.{attr}" if len(tensors) == 1 else f"{owner}.{attr}s[{tensors.index(tid)}]"
        sequential = self.owner_name(tid)
        return f"{sequential}.input" if sequential is not None else None

    def owner_name(self, tid: int) -> str | None:
        """The expression naming the model whose only Input is `tid`: a model that built with
        it, or a Sequential whose own `Input(...)` it is (tf-keras builds those without a
        functional constructor)."""
        for model in self.graph.evidence.models:
            if model.ok and model.inputs == (tid,) and model.span is not None:
                name = self.object_name(model.uid) or self._bound_here(model.span)
                if name is not None:
                    return name
        holders = sorted(n for n, inputs in self.model.object_inputs.items() if inputs == (tid,))
        if holders:
            return holders[0]
        tensor = self.graph.tensor(tid)
        if tensor is not None and tensor.input_span is not None:
            for sequential in self.graph.evidence.sequentials:
                if sequential.span is not None and _contains(sequential.span, tensor.input_span):
                    return self.object_name(sequential.uid) or self._bound_here(sequential.span)
        return None

    def _bound_here(self, span: Span) -> str | None:
        """The name the call at `span` is assigned to, when the failing model's scope can read
        it (the same scope, or `self.x` anywhere in the class)."""
        name = bound_expression(self.index, span)
        node = self.index.node_at(span)
        if name is None or node is None:
            return None
        return name if name.startswith("self.") or self.index.scope_of(node) is self.scope else None

    def object_name(self, uid: int) -> str | None:
        """The variable (or `self.attr`) holding the model `uid` where the failing model is built."""
        names = sorted(n for n, u in self.model.objects.items() if u == uid)
        return names[0] if names else None

    def model_repairs(self, orphans: set[int]) -> tuple[Plan, ...]:
        """Repairs of the whole model, shared by the faults of all its orphans."""
        model, graph = self.model, self.graph
        assert model.span is not None
        reapplied = reapplied_outputs(graph, self.index, model)
        repairs: list[Plan] = list(reapplied)
        submodels = self._compose_submodels(orphans)
        if submodels is not None:
            repairs.append(submodels)
        repairs.extend(self._inputs_as_parameters(orphans))
        repairs.extend(skip_inputs(graph, self.index, model, orphans))
        repairs.extend(reapply_chain(graph, model, orphans))
        connected = graph.ancestors(model.outputs) & set(model.inputs)
        # the model's own inputs make the tensor `.output` meant, in a later call of its layer:
        # the orphan is reached through the first call only, and is no input the model lacks
        if not connected and not reapplied:
            roots = sorted(r for r in graph.roots(model.outputs) if (t := graph.tensor(r)) is not None and t.is_input)
            names = [self.expression_for(r) for r in roots]
            if roots and all(names) and len(set(names)) == len(names):
                repairs.append(RootInputs(model.span, tuple(n for n in names if n)))
        cut = self._cut_before_join(orphans)
        if cut is not None:
            repairs.append(cut)
        names = [self.visible_name(o) for o in sorted(orphans)]
        if all(names) and not reapplied and (self._fed_with(len(model.inputs) + len(orphans)) or not any(self.replacements(o, "") for o in orphans)):
            repairs.append(AddInput(model.span, self.model_name, tuple(n for n in names if n)))
        return tuple(repairs)

    def _cut_before_join(self, orphans: set[int]) -> CutBeforeJoin | None:
        """The one layer call where the orphans' branch meets the model inputs' branch, when the
        model has one output and that call reads one tensor of the inputs' branch."""
        model, graph = self.model, self.graph
        assert model.span is not None
        if len(model.outputs) != 1:
            return None
        from_inputs = graph.descendants(model.inputs)
        from_orphans = graph.descendants(sorted(orphans))
        ancestors = graph.ancestors(model.outputs)
        joins = [
            c for c in graph.calls
            if any(t in ancestors for t in c.outputs)
            and any(t in from_orphans for t in c.inputs)
            and any(t in from_inputs and t not in from_orphans for t in c.inputs)
        ]
        if len(joins) != 1:
            return None
        clean = [t for t in joins[0].inputs if t in from_inputs and t not in from_orphans]
        if len(clean) != 1 or clean[0] in model.inputs:
            return None
        expression = self.tensor_expression(clean[0])
        return CutBeforeJoin(model.span, expression) if expression is not None else None

    def tensor_expression(self, tid: int) -> str | None:
        """A name for the tensor, or `m.get_layer("layer").output` of a model that built with it
        and that the failing model's frame holds."""
        name = self.visible_name(tid)
        if name is not None:
            return name
        producer = self.graph.producer(tid)
        if producer is None or len(producer.outputs) != 1:
            return None
        for other in self.graph.evidence.models:
            if other.ok and tid in self.graph.ancestors(other.outputs):
                owner = self.object_name(other.uid)
                if owner is not None:
                    return f'{owner}.get_layer("{producer.layer}").output'
        return None

    def _inputs_as_parameters(self, orphans: set[int]) -> list[Plan]:
        """Orphans made by one `Input(...)` inside a helper function, one per call of it from
        where the model is built, while model Inputs of their shape go unused."""
        graph, index = self.graph, self.index
        by_definition: dict[Span, list[int]] = {}
        for orphan in sorted(orphans):
            tensor = graph.tensor(orphan)
            if tensor is not None and tensor.input_span is not None:
                by_definition.setdefault(tensor.input_span, []).append(orphan)
        plans: list[Plan] = []
        free = [t for t in self.model.inputs if not graph.used(t)]
        for span, group in by_definition.items():
            node = index.node_at(span)
            name = index.name_bound_at(span)
            function = index.enclosing(cst.FunctionDef, node) if node is not None else None
            if name is None or function is None or self.scope is None or index.scope_of(function) is None:
                continue
            calls = _calls_of(index, self.scope, function.name.value)
            if len(calls) != len(group):
                continue
            arguments: list[tuple[Span, str]] = []
            for call, orphan in zip(calls, group):
                match = next((t for t in free if same_shape(graph.tensor(t), graph.tensor(orphan))), None)
                argument = self.expression_for(match) if match is not None else None
                if match is None or argument is None:
                    break
                free.remove(match)
                arguments.append((index.span_of(call), argument))
            if len(arguments) == len(group):
                plans.append(InputAsParameter(function.name.value, name, span, tuple(arguments)))
        return plans

    def _fed_with(self, count: int) -> bool:
        """The program feeds the model a list of `count` arrays somewhere."""
        if self.model_name is None:
            return False
        return any(len(items) == count for items in _fed_arrays(self.index, self.model_name))

    def _compose_submodels(self, orphans: set[int]) -> ComposeSubmodels | None:
        """Each orphan is the only Input of a model that built on its own, read as `sub.output`
        near the failing model: call that model on a tensor of the failing model's inputs."""
        model, graph = self.model, self.graph
        assert model.span is not None
        free = [t for t in model.inputs if not graph.used(t)] + [t for t in sorted(graph.descendants(model.inputs))]
        calls: list[tuple[str, str]] = []
        taken: set[int] = set()
        for orphan in sorted(orphans):
            sub = self.owner_name(orphan)
            if sub is None or not _output_reads(self.index, self.scope, sub):
                return None
            argument = None
            for tid in free:
                if tid in taken or not same_shape(graph.tensor(tid), graph.tensor(orphan)):
                    continue
                argument = self.expression_for(tid)
                if argument is not None:
                    taken.add(tid)
                    break
            if argument is None:
                return None
            calls.append((sub, argument))
        return ComposeSubmodels(model.span, tuple(calls)) if calls else None


def _model_for(evidence: Evidence, fault_line: int, fault_col: int, span: Span | None = None) -> ModelBuild | None:
    for model in evidence.models:
        if model.span is None:
            continue
        if span is not None:
            if span == model.span:
                return model
        elif model.span.line == fault_line and model.span.col + 1 == fault_col:
            return model
    return None


def _contains(outer: Span, inner: Span) -> bool:
    return (outer.line, outer.col) <= (inner.line, inner.col) and (inner.end_line, inner.end_col) <= (outer.end_line, outer.end_col)


def bound_expression(index: SourceIndex, span: Span) -> str | None:
    """`x` or `self.x` when the call at `span` is the whole value of an assignment to it."""
    node = index.node_at(span)
    if node is None:
        return None
    parent = index.parent(node)
    if isinstance(parent, cst.Assign) and parent.value is node and len(parent.targets) == 1:
        target = parent.targets[0].target
        if isinstance(target, (cst.Name, cst.Attribute)):
            return index.module.code_for_node(target)
    return None


def _fed_arrays(index: SourceIndex, model_name: str) -> list[list[cst.BaseExpression]]:
    """For each place the program feeds the model data (`fit`, `predict`, ...): the arrays of its
    `x` argument (one item unless a list or tuple literal; a concatenation or a starred list,
    whose length the source does not tell, is left out)."""
    found: list[list[cst.BaseExpression]] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if not (isinstance(func, cst.Attribute) and func.attr.value in FEEDING_METHODS):
                return
            if index.module.code_for_node(func.value) != model_name:
                return
            x = model_arg(node, 0, "x")
            if x is None:
                return
            value = x.value
            if isinstance(value, cst.BinaryOperation) or (
                isinstance(value, (cst.List, cst.Tuple)) and any(isinstance(e, cst.StarredElement) for e in value.elements)
            ):
                return  # `[seq] + states`, `[a, *rest]`: how many arrays only the run can tell
            if isinstance(value, (cst.List, cst.Tuple)):
                found.append([e.value for e in value.elements])
            else:
                found.append([value])

    index.module.visit(Finder())
    return found


def _output_reads(index: SourceIndex, scope: object, sub: str) -> list[cst.BaseExpression]:
    """`sub.output` (or `sub.outputs[0]`) expressions read in `scope`."""
    found: list[cst.BaseExpression] = []

    class Finder(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            if node.attr.value == "output" and index.module.code_for_node(node.value) == sub and index.scope_of(node) is scope:
                found.append(node)

        def visit_Subscript(self, node: cst.Subscript) -> None:
            value = node.value
            if (
                isinstance(value, cst.Attribute)
                and value.attr.value == "outputs"
                and index.module.code_for_node(value.value) == sub
                and index.module.code_for_node(node).replace(" ", "").endswith(".outputs[0]")
                and index.scope_of(node) is scope
            ):
                found.append(node)

    index.module.visit(Finder())
    return found


def shape_text(shape: tuple[int | None, ...] | None) -> str:
    if shape is None:
        return "(?)"
    parts = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def _rewire(index: SourceIndex, plan: Rewire) -> str:
    orphan, replacement = plan.orphan, plan.replacement
    replacements: dict[cst.CSTNode, cst.CSTNode] = {}
    for span in plan.uses:
        name = index.node_at(span, cst.Name)
        if not isinstance(name, cst.Name) or name.value != orphan:
            raise Skip(f"`{orphan}` is not read at line {span.line}")
        if not defined_before(index, replacement, name):
            raise Skip(f"`{replacement}` is not defined before line {span.line}")
        replacements[name] = cst.Name(replacement)
    if not replacements:
        raise Skip("the orphan input is not used")
    removals: set[cst.CSTNode] = set()
    definition = call_at(index, plan.orphan_def)
    if remaining_reads(index, orphan, definition, set(replacements)) == 0:
        statement = removable_assignment(index, orphan, definition)
        if statement is not None:
            removals.add(statement)
    return rewrite(index, replacements, removals)


def _loads(index: SourceIndex, scope: object, name: str) -> list[cst.Name] | None:
    """Every read of `name` in its scope; None when one of them is a model's inputs (then the
    Input is meant as a model input, and rewiring would change that model)."""
    loads: list[cst.Name] = []
    for assignment in scope.assignments[name]:  # type: ignore[attr-defined]
        for access in assignment.references:
            node = access.node
            if not isinstance(node, cst.Name):
                return None
            arg = index.parent(node)
            parent = index.parent(arg) if arg is not None else None  # Name -> Arg -> Call
            if isinstance(parent, cst.Call) and index.module.code_for_node(parent.func).split(".")[-1] in ("Model", "Functional"):
                return None
            loads.append(node)
    return loads


def _compose(index: SourceIndex, plan: Compose) -> str:
    call = call_at(index, plan.model)
    outputs = model_arg(call, 1, "outputs")
    if outputs is None:
        raise Skip("the model call has no outputs argument")
    if not defined_before(index, plan.replacement, call) or not defined_before(index, plan.submodel, call):
        raise Skip("the sub-model or the replacement tensor is not defined before the model call")
    composed = cst.Call(func=cst.Name(plan.submodel), args=[cst.Arg(cst.Name(plan.replacement))])
    return rewrite(index, {outputs.value: composed})


def _compose_submodels(index: SourceIndex, plan: ComposeSubmodels) -> str:
    call = call_at(index, plan.model)
    scope = index.scope_of(call)
    replacements: dict[cst.CSTNode, cst.CSTNode] = {}
    moves: dict[cst.CSTNode, cst.CSTNode] = {}
    for sub, argument in plan.calls:
        reads = [r for r in _output_reads(index, scope, sub) if index.range(r).start.line <= index.range(call).end.line]
        if not reads:
            raise Skip(f"`{sub}.output` is not read where the model is built")
        for read in reads:
            replacements[read] = cst.Call(func=cst.parse_expression(sub), args=[cst.Arg(cst.parse_expression(argument))])
            if argument.isidentifier() and not defined_before(index, argument, read):
                _move_definition_up(index, argument, read, moves)
    return rewrite(index, replacements, moves=moves)


def _move_definition_up(index: SourceIndex, name: str, read: cst.CSTNode, moves: dict[cst.CSTNode, cst.CSTNode]) -> None:
    """The model's own Input is defined after the tower output it must now feed: its
    `name = Input(...)` statement moves up to just before the statement that reads it, when that
    definition reads nothing defined in between."""
    scope = index.scope_of(read)
    reader = index.statement_of(read)
    definitions = [getattr(a, "node", None) for a in scope.assignments[name]] if scope is not None else []
    statements = [index.statement_of(d) for d in definitions if d is not None and d in index.positions]
    if len(statements) != 1 or statements[0] is None or reader is None:
        raise Skip(f"`{name}` is not defined before it is read, and its definition cannot be moved")
    statement = statements[0]
    if index.parent(statement) is not index.parent(reader) or not isinstance(statement, cst.SimpleStatementLine):
        raise Skip(f"`{name}` is defined in another block than where it would be read")
    start, end = index.range(reader).start.line, index.range(statement).start.line
    for other in _names_read(statement) - {name}:
        if any(start <= line < end for line in index.assignment_lines(other, scope)) if scope is not None else True:
            raise Skip(f"`{name}`'s definition reads `{other}`, defined after the read")
    if statement in moves:
        return
    moves[statement] = reader


def _calls_of(index: SourceIndex, scope: object, function: str) -> list[cst.Call]:
    """Calls `function(...)` made in `scope`, in source order."""
    found: list[cst.Call] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if isinstance(node.func, cst.Name) and node.func.value == function and index.scope_of(node) is scope:
                found.append(node)

    index.module.visit(Finder())
    return sorted(found, key=lambda c: (index.range(c).start.line, index.range(c).start.column))


def _input_as_parameter(index: SourceIndex, plan: InputAsParameter) -> str:
    definition = call_at(index, plan.orphan_def)
    function = index.enclosing(cst.FunctionDef, definition)
    if function is None or function.name.value != plan.function:
        raise Skip(f"the Input is not made inside `{plan.function}`")
    statement = removable_assignment(index, plan.orphan, definition)
    if statement is None:
        raise Skip(f"`{plan.orphan} = Input(...)` is not a statement of its own")
    callers = _all_calls(index.module, plan.function)
    if len(callers) != len(plan.calls):
        raise Skip(f"`{plan.function}` is called {len(callers)} times, the plan passes tensors to {len(plan.calls)}: other callers would break")
    params = function.params
    if params.star_arg is not cst.MaybeSentinel.DEFAULT or params.star_kwarg is not None or params.posonly_params:
        raise Skip(f"`{plan.function}` takes *args, **kwargs or positional-only parameters")
    scope = index.scope_of(statement)
    dropped: list[int] = []
    for position, param in enumerate(params.params):
        reads = list(index.loads(param.name.value, scope)) if scope is not None else []
        if reads and all(_inside(index, read, statement) for read in reads):
            dropped.append(position)
    names = [p.name.value for i, p in enumerate(params.params) if i in dropped]
    kept = [p for i, p in enumerate(params.params) if i not in dropped]
    if any(p.name.value == plan.orphan for p in kept):
        raise Skip(f"`{plan.function}` already has a parameter `{plan.orphan}`")
    replacements: dict[cst.CSTNode, cst.CSTNode] = {
        params: params.with_changes(params=[cst.Param(cst.Name(plan.orphan)), *kept]),
    }
    for span, argument in plan.calls:
        call = call_at(index, span)
        args = [
            a
            for i, a in enumerate(call.args)
            if not (a.keyword is None and a.star == "" and i in dropped)
            and not (a.keyword is not None and a.keyword.value in names)
        ]
        if any(a.star for a in call.args):
            raise Skip(f"a call of `{plan.function}` passes *args or **kwargs")
        new_arg = cst.Arg(cst.parse_expression(argument))
        if args:
            new_arg = new_arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        last = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) if i == len(args) - 1 else a for i, a in enumerate(args)]
        replacements[call] = call.with_changes(args=[new_arg, *last])
    return rewrite(index, replacements, {statement})


def _all_calls(module: cst.Module, function: str) -> list[cst.Call]:
    found: list[cst.Call] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if isinstance(node.func, cst.Name) and node.func.value == function:
                found.append(node)

    module.visit(Finder())
    return found


def _inside(index: SourceIndex, node: cst.CSTNode, container: cst.CSTNode) -> bool:
    current: cst.CSTNode | None = node
    while current is not None:
        if current is container:
            return True
        current = index.parent(current)
    return False


def _names_read(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()

    class Finder(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            found.add(n.value)

    node.visit(Finder())
    return found


def _cut_before_join(index: SourceIndex, plan: CutBeforeJoin) -> str:
    call = call_at(index, plan.model)
    outputs = model_arg(call, 1, "outputs")
    if outputs is None:
        raise Skip("the model call has no outputs argument")
    value = outputs.value
    new = cst.parse_expression(plan.output)
    if isinstance(value, (cst.List, cst.Tuple)):
        if len(value.elements) != 1:
            raise Skip("the model has several outputs")
        new = value.with_changes(elements=[value.elements[0].with_changes(value=new)])
    return rewrite(index, {value: new})


def _inputs_arg(index: SourceIndex, span: Span) -> tuple[cst.Call, cst.Arg]:
    call = call_at(index, span)
    inputs = model_arg(call, 0, "inputs")
    if inputs is None:
        raise Skip("the model call has no inputs argument")
    return call, inputs


def _add_input(index: SourceIndex, plan: AddInput) -> str:
    _, inputs = _inputs_arg(index, plan.model)
    value = inputs.value
    if isinstance(value, (cst.List, cst.Tuple)):
        present = [index.module.code_for_node(e.value) for e in value.elements]
    else:
        present = [index.module.code_for_node(value)]
    if any(o in present for o in plan.orphans):
        raise Skip("the input is already among the model's inputs")
    count = len(present) + len(plan.orphans)
    if plan.model_name is not None:
        for arrays in _fed_arrays(index, plan.model_name):
            if len(arrays) != count:
                raise Skip(f"`{plan.model_name}` is fed {len(arrays)} array(s): the program has no data for the added input")
    added = [cst.Element(cst.Name(o)) for o in plan.orphans]
    if isinstance(value, (cst.List, cst.Tuple)):
        elements = list(value.elements)
        if elements and elements[-1].comma is cst.MaybeSentinel.DEFAULT:
            elements[-1] = elements[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        new_elements = elements + [
            e.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) if i < len(added) - 1 else e
            for i, e in enumerate(added)
        ]
        return rewrite(index, {value: value.with_changes(elements=new_elements)})
    return rewrite(index, {value: cst.List([cst.Element(value), *added])})


def _root_inputs(index: SourceIndex, plan: RootInputs) -> str:
    _, inputs = _inputs_arg(index, plan.model)
    value = inputs.value
    roots = [cst.parse_expression(r) for r in plan.roots]
    if len(roots) == 1 and not isinstance(value, (cst.List, cst.Tuple)):
        return rewrite(index, {value: roots[0]})
    return rewrite(index, {value: cst.List([cst.Element(r) for r in roots])})
