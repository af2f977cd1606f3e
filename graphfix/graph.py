"""The construction graph recorded by a probe: which tensors feed which, and from where.

Also what a picture of it needs from the rules (no drawing here): the variable names of its
tensors (`TensorNames`) and the rewirings a fault's repair proposes (`Proposal`), between node
ids `c<call index>` (a layer call), `t<tensor id>` (a tensor no recorded call produced, such as
an `Input`) and `m<model index>` (a model build).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from graphfix.ftypes import Evidence, LayerCall, ModelBuild, Span, Tensor

if TYPE_CHECKING:
    from graphfix.source import SourceIndex


class ConstructionGraph:
    def __init__(self, evidence: Evidence) -> None:
        self.evidence = evidence
        self.tensors = evidence.tensors
        self.calls = evidence.calls
        self.consumers: dict[int, list[LayerCall]] = {}
        for call in self.calls:
            for tid in call.inputs:
                self.consumers.setdefault(tid, []).append(call)

    def producer(self, tid: int) -> LayerCall | None:
        tensor = self.tensors.get(tid)
        if tensor is None or tensor.producer is None:
            return None
        return self.calls[tensor.producer]

    def ancestors(self, tids: tuple[int, ...] | list[int]) -> set[int]:
        """Every tensor the given tensors are computed from (inclusive)."""
        seen: set[int] = set()
        stack = list(tids)
        while stack:
            tid = stack.pop()
            if tid in seen:
                continue
            seen.add(tid)
            call = self.producer(tid)
            if call is not None:
                stack.extend(call.inputs)
        return seen

    def roots(self, tids: tuple[int, ...] | list[int]) -> set[int]:
        """The source tensors (no recorded producer) the given tensors depend on."""
        return {t for t in self.ancestors(tids) if self.producer(t) is None}

    def descendants(self, tids: tuple[int, ...] | list[int]) -> set[int]:
        """Every tensor computed from the given tensors alone-or-partly (inclusive)."""
        seen: set[int] = set()
        stack = list(tids)
        while stack:
            tid = stack.pop()
            if tid in seen:
                continue
            seen.add(tid)
            for call in self.consumers.get(tid, []):
                stack.extend(call.outputs)
        return seen

    def used(self, tid: int) -> bool:
        """Consumed by a layer call or named as some model's output."""
        if self.consumers.get(tid):
            return True
        return any(tid in model.outputs for model in self.evidence.models)

    def tensor(self, tid: int) -> Tensor | None:
        return self.tensors.get(tid)

    def node_id(self, tid: int) -> str:
        """The node a tensor is drawn from: its producing call, else the tensor itself."""
        producer = self.producer(tid)
        return f"c{producer.index}" if producer is not None else f"t{tid}"


def same_shape(a: Tensor | None, b: Tensor | None) -> bool:
    """Equal shapes, ignoring the batch dimension."""
    if a is None or b is None or a.shape is None or b.shape is None:
        return False
    return len(a.shape) == len(b.shape) and a.shape[1:] == b.shape[1:]


@dataclass(frozen=True)
class Proposal:
    """A rewiring a repair proposes, as an edge between node ids (`c<call>`, `t<tensor>`, `m<model>`)."""

    source: str  # node id
    target: str  # node id
    label: str
    replaces: str | None = None  # node id whose edge into `target` the proposal replaces


class TensorNames:
    """Variable names of tensors and models: the probe's `ModelBuild.names`, then the source."""

    def __init__(self, evidence: Evidence, source: str | None) -> None:
        self.by_tensor: dict[int, str] = {}
        for model in evidence.models:
            for name, tid in sorted(model.names.items()):
                self.by_tensor.setdefault(tid, name)
        self.model_spans = {m.span for m in evidence.models if m.span is not None}
        self._source = source
        self._index: SourceIndex | Literal[False] | None = None  # parsed on first use; False: unparseable

    def bound_at(self, span: Span | None) -> str | None:
        """The name the source binds the value made at `span` to."""
        if span is None or not self._source:
            return None
        if self._index is None:
            import libcst as cst

            from graphfix.source import SourceIndex

            try:
                self._index = SourceIndex(self._source)
            except (cst.ParserSyntaxError, RecursionError, ValueError):  # names from the probe only
                self._index = False
        if self._index is False:
            return None
        return self._index.name_bound_at(span)

    def tensor(self, tensor: Tensor, graph: ConstructionGraph) -> str | None:
        if tensor.tid in self.by_tensor:
            return self.by_tensor[tensor.tid]
        if tensor.is_input:
            return None if tensor.input_span in self.model_spans else self.bound_at(tensor.input_span)
        producer = graph.producer(tensor.tid)
        if producer is not None and len(producer.outputs) == 1:
            return self.bound_at(producer.span)
        return None

    def tensor_named(self, name: str, graph: ConstructionGraph, candidates: Iterable[int]) -> int | None:
        """The one tensor among `candidates` bound to `name`; None unless exactly one."""
        found = {
            t for t in candidates if (tensor := graph.tensor(t)) is not None and self.tensor(tensor, graph) == name
        }
        return found.pop() if len(found) == 1 else None


# -- queries more than one rule asks -------------------------------------------------------


def nested_model_for(graph: ConstructionGraph, model: ModelBuild, orphans: set[int]) -> LayerCall | None:
    """The call of a model, used as a layer on tensors computed from `model`'s inputs, whose own
    inputs are the orphans: the failing model reaches *into* a nested model (GF103)."""
    reachable = graph.descendants(model.inputs)
    if _joins_submodel_output(graph, model, orphans, reachable):
        return None  # `sub.output` read beside `sub(x)` (siamese towers): a missing call, GF101
    for call in graph.calls:
        if call.model_inputs and orphans <= set(call.model_inputs) and any(t in reachable for t in call.inputs):
            return call
    return None


def _joins_submodel_output(graph: ConstructionGraph, model: ModelBuild, orphans: set[int], reachable: set[int]) -> bool:
    """A layer of the failing model reads, beside a tensor of the model's inputs, the output of a
    model that built from the orphans: that model's `.output` stands where a call of it belongs."""
    outputs = {t for m in graph.evidence.models if m.ok and m.inputs and set(m.inputs) <= orphans for t in m.outputs}
    needed = graph.ancestors(model.outputs) | set(model.outputs)
    return any(
        any(t in outputs for t in c.inputs) and any(t in reachable for t in c.inputs) and any(o in needed for o in c.outputs)
        for c in graph.calls
    )


def orphan_inputs(graph: ConstructionGraph, model: ModelBuild) -> set[int]:
    roots = graph.roots(model.outputs)
    return {r for r in roots if (t := graph.tensor(r)) is not None and t.is_input and r not in model.inputs}


def disconnected_models(graph: ConstructionGraph) -> Iterator[tuple[ModelBuild, set[int], LayerCall | None]]:
    """Models that failed to build because their outputs reach Inputs they were not given:
    (model, those orphan Inputs, the nested model call they belong to, if any)."""
    for model in graph.evidence.models:
        if model.ok or model.span is None:
            continue
        orphans = orphan_inputs(graph, model)
        if orphans:
            yield model, orphans, nested_model_for(graph, model, orphans)
