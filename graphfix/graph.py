"""The construction graph recorded by a probe: which tensors feed which, and from where."""

from __future__ import annotations

from graphfix.ftypes import Evidence, LayerCall, Tensor


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


def same_shape(a: Tensor | None, b: Tensor | None) -> bool:
    """Equal shapes, ignoring the batch dimension."""
    if a is None or b is None or a.shape is None or b.shape is None:
        return False
    return len(a.shape) == len(b.shape) and a.shape[1:] == b.shape[1:]
