"""GF508 multi-output-metrics.

``compile(metrics=['accuracy'])`` on a model with several outputs. Keras 2 applied a flat list of
metrics to every output; Keras 3 reads a list as one entry per output, and a list whose length is
not the number of outputs stops training.

Symptom: ``ValueError: tuple arity mismatch; expected: 2, got: 1; tuple: ('accuracy',)`` at the
first ``fit`` / ``train_on_batch`` / ``evaluate`` of the model (Keras 3 checks the metrics
against the outputs only when it first computes them).

Detection: the program fails with that error at a training or evaluation call on a model of the
user's file, and the ``compile`` of that model (the same receiver, ``self.discriminator``,
``model``; else the only ``compile`` in the file given a metrics list of another length) passes
``metrics=`` as a list or tuple.

Fix: ``metrics=[m1, m2]`` becomes one copy per output, ``metrics=[[m1, m2], [m1, m2]]`` (a
name: ``[metrics] * n``), which is what Keras 2 computed: every metric on every output. The
number of outputs is the one the error reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.edits import call_at
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex

_ARITY = re.compile(r"tuple arity mismatch; expected: (?P<outputs>\d+), got: (?P<given>\d+)")
TRAINING = ("fit", "train_on_batch", "evaluate", "test_on_batch", "fit_generator", "evaluate_generator")


@dataclass(frozen=True)
class MetricsPerOutput(Plan):
    """The `metrics=` of the compile call at `call` is repeated once per output (`outputs`)."""

    call: Span
    outputs: int

    def describe(self) -> str:
        return f"metrics-per-output: the metrics list given to each of the {self.outputs} outputs"


def _metrics(call: cst.Call) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "metrics":
            return arg
    return None


def _compiles(index: SourceIndex) -> list[tuple[str, cst.Call]]:
    """(receiver source, call) for every `<receiver>.compile(..., metrics=...)` of the file."""
    found: list[tuple[str, cst.Call]] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if isinstance(node.func, cst.Attribute) and node.func.attr.value == "compile" and _metrics(node) is not None:
                found.append((index.module.code_for_node(node.func.value), node))

    index.module.visit(Finder())
    return found


def _failing_receivers(index: SourceIndex, line: int) -> set[str]:
    receivers: set[str] = set()

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if isinstance(node.func, cst.Attribute) and node.func.attr.value in TRAINING and index.range(node).start.line == line:
                receivers.add(index.module.code_for_node(node.func.value))

    index.module.visit(Finder())
    return receivers


def _length(arg: cst.Arg) -> int | None:
    return len(arg.value.elements) if isinstance(arg.value, (cst.List, cst.Tuple)) else None


class MultiOutputMetrics(FaultRule):
    code = "GF508"
    name = "multi-output-metrics"
    summary = "compile(metrics=[...]) flat for a multi-output model: Keras 3 wants one entry per output"
    flavors = ("keras3",)

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        match = _ARITY.search(error.message) if error is not None and error.type == "ValueError" else None
        if error is None or error.span is None or match is None:
            return []
        outputs, given = int(match.group("outputs")), int(match.group("given"))
        compiles = _compiles(index)
        receivers = _failing_receivers(index, error.span.line)
        chosen = [call for receiver, call in compiles if receiver in receivers and _length(_metrics(call)) != outputs]  # type: ignore[arg-type]
        if not chosen:
            chosen = [call for _, call in compiles if _length(_metrics(call)) == given]  # type: ignore[arg-type]
        if len(chosen) != 1:
            return []
        metrics = index.module.code_for_node(_metrics(chosen[0]).value)  # type: ignore[union-attr]
        message = f"`metrics={metrics}` is read per output in Keras 3 and this model has {outputs} outputs: give it to each output"
        plan = MetricsPerOutput(index.span_of(chosen[0]), outputs)
        return [self.fault(error.span.line, error.span.col + 1, message, repairs=(plan,), explains_error=True)]

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, MetricsPerOutput):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        call = call_at(index, plan.call)
        arg = _metrics(call)
        if arg is None or isinstance(arg.value, cst.Dict) or _length(arg) == plan.outputs:
            raise Skip("the compile call gives no flat metrics list")
        value = arg.value
        if isinstance(value, cst.Tuple):
            value = cst.List(elements=value.elements)
        if isinstance(value, cst.List):
            copies = [cst.Element(value=value.deep_clone()) for _ in range(plan.outputs)]
            new_value: cst.BaseExpression = cst.List(elements=copies)
        else:
            new_value = cst.BinaryOperation(
                left=cst.List(elements=[cst.Element(value=value)]), operator=cst.Multiply(), right=cst.Integer(str(plan.outputs))
            )

        class Replace(cst.CSTTransformer):
            def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
                return updated.with_changes(value=new_value) if original is arg else updated

        return index.module.visit(Replace()).code

    EXAMPLES = (
        Example(
            before="model.compile(loss=['mse', 'binary_crossentropy'], optimizer='adam', metrics=['accuracy'])\n",
            plan=MetricsPerOutput(Span(1, 0, 1, 91), 2),
            after="model.compile(loss=['mse', 'binary_crossentropy'], optimizer='adam', metrics=[['accuracy'], ['accuracy']])\n",
        ),
        Example(
            before="self.d.compile(loss=losses,\n    optimizer=opt,\n    metrics=('accuracy', 'mae'))\n",
            plan=MetricsPerOutput(Span(1, 0, 3, 32), 3),
            after="self.d.compile(loss=losses,\n    optimizer=opt,\n    metrics=[['accuracy', 'mae'], ['accuracy', 'mae'], ['accuracy', 'mae']])\n",
        ),
        Example(
            before="METRICS = ['accuracy']\nnet.compile('sgd', 'mse', metrics=METRICS)\n",
            plan=MetricsPerOutput(Span(2, 0, 2, 42), 2),
            after="METRICS = ['accuracy']\nnet.compile('sgd', 'mse', metrics=[METRICS] * 2)\n",
        ),
    )
    UNCHANGED = (
        Example(
            before="model.compile('adam', ['mse', 'mse'], metrics={'a': 'mae', 'b': 'mae'})\n",
            plan=MetricsPerOutput(Span(1, 0, 1, 71), 2),
            note="already per output (a dict)",
        ),
        Example(
            before="model.compile('adam', ['mse', 'mse'], metrics=['mae', 'mae'])\n",
            plan=MetricsPerOutput(Span(1, 0, 1, 61), 2),
            note="one entry per output",
        ),
    )
