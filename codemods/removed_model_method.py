"""GF503 removed-model-method.

A ``Model`` method Keras 3 removed because its replacement takes the same input:
``fit_generator``, ``evaluate_generator``, ``predict_generator`` (``fit``, ``evaluate`` and
``predict`` take generators and ``PyDataset``s since TF 2.1) and ``predict_proba`` (``predict``
returns the same probabilities).

Symptom: ``AttributeError: 'Functional' object has no attribute 'fit_generator'`` (or
``'Sequential' object ...``) where the program calls it.

Detection: the program fails with that error, and the failing expression in the user's file is
``<model>.<method>`` for one of these methods.

Fix: call the replacement. Positional arguments after the generator are passed by the name they
had (``fit_generator(gen, 100, 5)`` put 100 in ``steps_per_epoch``, where ``fit`` would read it
as ``y``); ``nb_epoch`` becomes ``epochs``; ``workers``, ``use_multiprocessing`` and
``max_queue_size`` are dropped (they only tuned how Keras 2 fed the generator; the values
computed do not change). Every call of these methods in the file is rewritten at once. A call
with Keras 1's ``samples_per_epoch`` / ``nb_val_samples`` (counted in samples, not batches) is
left alone: the batch size needed to convert it is not in the call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex

REPLACEMENTS = {
    "fit_generator": "fit",
    "evaluate_generator": "evaluate",
    "predict_generator": "predict",
    "predict_proba": "predict",
}
# the Keras 2.3 parameters, in order, after the generator
POSITIONAL = {
    "fit_generator": (
        "steps_per_epoch", "epochs", "verbose", "callbacks", "validation_data", "validation_steps",
        "validation_freq", "class_weight", "max_queue_size", "workers", "use_multiprocessing", "shuffle", "initial_epoch",
    ),
    "evaluate_generator": ("steps", "callbacks", "max_queue_size", "workers", "use_multiprocessing", "verbose"),
    "predict_generator": ("steps", "callbacks", "max_queue_size", "workers", "use_multiprocessing", "verbose"),
    "predict_proba": ("batch_size", "verbose"),
}  # fmt: skip
RENAMED = {"nb_epoch": "epochs"}
DROPPED = ("workers", "use_multiprocessing", "max_queue_size")
UNCONVERTIBLE = ("samples_per_epoch", "nb_val_samples", "val_samples")
_ERROR = re.compile(r"'\w+' object has no attribute '(?P<name>\w+)'")


@dataclass(frozen=True)
class CallReplacement(Plan):
    """`<model>.<method>(...)` at `call` (and every other call of a removed method in the file)
    calls its Keras 3 replacement."""

    call: Span
    method: str

    def describe(self) -> str:
        return f"call-replacement: `.{self.method}(...)` becomes `.{REPLACEMENTS.get(self.method, '?')}(...)`"


def _method(call: cst.Call) -> str | None:
    if isinstance(call.func, cst.Attribute) and call.func.attr.value in REPLACEMENTS:
        return call.func.attr.value
    return None


def _convertible(call: cst.Call) -> bool:
    method = _method(call)
    if method is None or any(a.star for a in call.args):
        return False
    positional = [a for a in call.args if a.keyword is None]
    keywords = {a.keyword.value for a in call.args if a.keyword is not None}
    return len(positional) <= 1 + len(POSITIONAL[method]) and not keywords & set(UNCONVERTIBLE)


class RemovedModelMethod(FaultRule):
    code = "GF503"
    name = "removed-model-method"
    summary = "fit_generator / evaluate_generator / predict_generator / predict_proba, removed in Keras 3"
    flavors = ("keras3",)

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is None or error.span is None or error.type != "AttributeError":
            return []
        match = _ERROR.search(error.message)
        if match is None or match.group("name") not in REPLACEMENTS:
            return []
        method = match.group("name")
        call = _call_of(index, error.span)
        line, col = error.span.line, error.span.col + 1
        lead = f"`Model.{method}` was removed in Keras 3; `{REPLACEMENTS[method]}` takes the same input"
        if call is None or not _convertible(call):
            return [self.fault(line, col, f"{lead} (this call's arguments do not convert: rewrite it by hand)")]
        plan = CallReplacement(index.span_of(call), method)
        return [self.fault(line, col, lead, repairs=(plan,), explains_error=True)]

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, CallReplacement):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        node = index.node_at(plan.call, cst.Call)
        if not isinstance(node, cst.Call) or _method(node) is None:
            raise Skip(f"no call of a removed model method at line {plan.call.line}")
        if not _convertible(node):
            raise Skip("the call's arguments do not convert")
        return index.module.visit(_Rewriter()).code

    EXAMPLES = (
        Example(
            before="model.fit_generator(batches(x, y), 100, 5, workers=4, use_multiprocessing=True)\n",
            plan=CallReplacement(Span(1, 0, 1, 79), "fit_generator"),
            after="model.fit(batches(x, y), steps_per_epoch=100, epochs=5)\n",
        ),
        Example(
            before="gan.fit_generator(gen, steps_per_epoch=10, nb_epoch=2)\nscore = gan.evaluate_generator(gen, 4)\n",
            plan=CallReplacement(Span(1, 0, 1, 54), "fit_generator"),
            after="gan.fit(gen, steps_per_epoch=10, epochs=2)\nscore = gan.evaluate(gen, steps=4)\n",
        ),
        Example(
            before="p = clf.predict_proba(x_test, verbose=0)\n",
            plan=CallReplacement(Span(1, 4, 1, 40), "predict_proba"),
            after="p = clf.predict(x_test, verbose=0)\n",
        ),
    )
    UNCHANGED = (
        Example(
            before="model.fit_generator(gen, samples_per_epoch=1000, nb_epoch=2)\n",
            plan=CallReplacement(Span(1, 0, 1, 60), "fit_generator"),
            note="Keras 1 counts samples, not batches",
        ),
        Example(
            before="model.fit(gen, steps_per_epoch=10)\n",
            plan=CallReplacement(Span(1, 0, 1, 34), "fit_generator"),
            note="already the replacement",
        ),
    )


class _Rewriter(cst.CSTTransformer):
    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        method = _method(original)
        if method is None or not _convertible(original):
            return updated
        names = POSITIONAL[method]
        args: list[cst.Arg] = []
        positional = 0
        for arg in updated.args:
            if arg.keyword is None:
                positional += 1
                if positional > 1:
                    arg = arg.with_changes(keyword=cst.Name(names[positional - 2]), equal=cst.AssignEqual(
                        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword in DROPPED:
                continue
            if keyword in RENAMED:
                arg = arg.with_changes(keyword=cst.Name(RENAMED[keyword]))
            args.append(arg)
        if args:
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        func = updated.func
        assert isinstance(func, cst.Attribute)
        return updated.with_changes(func=func.with_changes(attr=cst.Name(REPLACEMENTS[method])), args=args)


def _call_of(index: SourceIndex, span: Span) -> cst.Call | None:
    node = index.node_at(span, cst.Attribute) or index.node_at(span, cst.Call)
    if isinstance(node, cst.Call):
        return node
    parent = index.parent(node) if node is not None else None
    if isinstance(parent, cst.Call) and parent.func is node:
        return parent
    return None
