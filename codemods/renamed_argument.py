"""GF502 renamed-argument.

A keyword argument Keras 1/2 accepted and Keras 3 rejects: optimizers' ``lr`` (and ``decay``),
``fit``/``evaluate``/``predict``'s ``nb_epoch``, ``workers``, ``use_multiprocessing``,
``max_queue_size``, and the Keras 1 layer arguments ``output_dim`` (``Dense``), ``init``,
``W_regularizer``, ``b_regularizer``, ``W_constraint``, ``b_constraint``, ``border_mode``,
``subsample``, and ``Model(input=..., output=...)``; with them, Keras 1's positional kernel
sizes ``Convolution2D(32, 3, 3, border_mode='same')`` become ``Conv2D``'s ``(3, 3)``.

Symptom: ``ValueError: Argument(s) not recognized: {'lr': 0.0002}`` (optimizers),
``TypeError: TensorFlowTrainer.fit() got an unexpected keyword argument 'nb_epoch'``,
``ValueError: Unrecognized keyword arguments passed to Dense: {'init': 'uniform'}``, or
``TypeError: Dense.__init__() missing 1 required positional argument: 'units'`` for
``Dense(output_dim=...)``.

Detection: the program fails with one of these errors at a call in the user's file that passes
the rejected keyword, and the keyword is one of the renames below.

Fix: the keyword gets its Keras 3 name, the one Keras 2's own legacy-interface converters used
(``lr`` -> ``learning_rate``, ``nb_epoch`` -> ``epochs``, ``output_dim`` -> ``units``, ``init`` ->
``kernel_initializer``, ``W_regularizer`` -> ``kernel_regularizer``, ``border_mode`` ->
``padding``, ``subsample`` -> ``strides``, ...); a test checks every new name against Keras 3's
signatures. ``workers``, ``use_multiprocessing`` and ``max_queue_size`` are dropped: they only
said how Keras 2 fed a generator, Keras 3 reads them from a ``PyDataset``, and the values
computed do not change. ``decay=d`` (Keras 3 warns and ignores it, so training silently changes)
becomes the schedule Keras 2 applied, ``learning_rate=InverseTimeDecay(lr, decay_steps=1,
decay_rate=d)`` (``lr / (1 + d * iterations)``). The same legacy keywords in the file's other
calls of Keras optimizers, layers and training methods are renamed with it, since each would stop
the program in turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.edits import add_import, call_at
from codemods.keras_api_table import PUBLIC
from codemods.tf_op_on_keras_tensor import keras_prefix
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex

OPTIMIZER = {"lr": "learning_rate"}
TRAINING = {"nb_epoch": "epochs"}
TRAINING_DROPPED = ("workers", "use_multiprocessing", "max_queue_size")
TRAINING_METHODS = {"fit", "evaluate", "predict", "fit_generator", "evaluate_generator", "predict_generator"}
LAYER = {
    "init": "kernel_initializer",
    "W_regularizer": "kernel_regularizer",
    "b_regularizer": "bias_regularizer",
    "W_constraint": "kernel_constraint",
    "b_constraint": "bias_constraint",
    "border_mode": "padding",
    "subsample": "strides",
}
DENSE = {"output_dim": "units"}  # Embedding's output_dim is still output_dim
MODEL = {"input": "inputs", "output": "outputs"}  # Keras 1's Model(input=..., output=...)

_REJECTED = (
    re.compile(r"Argument\(s\) not recognized: \{(?P<args>.*)\}"),
    re.compile(r"got an unexpected keyword argument '(?P<args>\w+)'"),
    re.compile(r"Unrecognized keyword arguments passed to \w+: \{(?P<args>.*)\}"),
    re.compile(r"missing 1 required positional argument: '(?P<args>units)'"),
)


@dataclass(frozen=True)
class RenameArguments(Plan):
    """Legacy keywords of the call at `call` (and of the file's other Keras calls) get their
    Keras 3 names; keywords that only tuned Keras 2's generator feeding are dropped."""

    call: Span

    def describe(self) -> str:
        return "rename-arguments: Keras 2 keywords take their Keras 3 names"


def _callee(call: cst.Call) -> str:
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""


def renames(call: cst.Call, failing: bool = False) -> tuple[dict[str, str], tuple[str, ...]]:
    """(legacy keyword -> Keras 3 keyword, keywords to drop) for this call: the call that failed
    (`failing`) is judged by its keywords alone, other calls by what they call."""
    name = _callee(call)
    table: dict[str, str] = {}
    dropped: tuple[str, ...] = ()
    if name in PUBLIC["keras.optimizers"] or (failing and name not in TRAINING_METHODS):
        table.update(OPTIMIZER)
    if name in TRAINING_METHODS:
        table.update(TRAINING)
        dropped = TRAINING_DROPPED
    if name in PUBLIC["keras.layers"] or (failing and name not in TRAINING_METHODS):
        table.update(LAYER)
        if name == "Dense":
            table.update(DENSE)
    if name == "Model":
        table.update(MODEL)
    given = {a.keyword.value for a in call.args if a.keyword is not None}
    return {k: v for k, v in table.items() if k in given}, tuple(k for k in dropped if k in given)


class RenamedArgument(FaultRule):
    code = "GF502"
    name = "renamed-argument"
    summary = "a Keras 1/2 keyword argument that Keras 3 rejects"
    flavors = ("keras3",)

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is None or error.span is None or error.type not in ("TypeError", "ValueError"):
            return []
        match = next((m for m in (p.search(error.message) for p in _REJECTED) if m), None)
        if match is None:
            return []
        rejected = set(re.findall(r"'(\w+)'", match.group("args"))) or {match.group("args")}
        if rejected == {"units"}:
            rejected = {"output_dim"}
        node = index.node_at(error.span, cst.Call)
        if not isinstance(node, cst.Call):
            return []
        table, dropped = renames(node, failing=True)
        known = sorted((set(table) | set(dropped)) & rejected)
        if not known:
            return []
        changes = [f"`{k}` -> `{table[k]}`" if k in table else f"drop `{k}`" for k in known]
        callee = index.module.code_for_node(node.func)
        message = f"`{callee}(...)` no longer takes {', '.join(f'`{k}`' for k in known)} in Keras 3: {', '.join(changes)}"
        plan = RenameArguments(index.span_of(node))
        return [self.fault(error.span.line, error.span.col + 1, message, repairs=(plan,), explains_error=True)]

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, RenameArguments):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        failing = call_at(index, plan.call)
        if renames(failing, failing=True) == ({}, ()):
            raise Skip("the call passes no legacy keyword")
        keras = keras_prefix(index) or "keras"
        rewriter = _Rewriter(failing, keras)
        code = index.module.visit(rewriter).code
        if rewriter.schedule and not keras_prefix(index):
            code = add_import(code, "import keras")
        return code

    EXAMPLES = (
        Example(
            before="from keras.layers import Convolution2D\ny = Convolution2D(16, 3, 3, border_mode='same', init='he_normal')(x)\n",
            plan=RenameArguments(Span(2, 4, 2, 65)),
            after="from keras.layers import Convolution2D\ny = Convolution2D(16, (3, 3), padding='same', kernel_initializer='he_normal')(x)\n",
        ),
        Example(
            before="from keras.models import Model\nmodel = Model(input=[a, b], output=out)\n",
            plan=RenameArguments(Span(2, 8, 2, 40)),
            after="from keras.models import Model\nmodel = Model(inputs=[a, b], outputs=out)\n",
        ),
        Example(
            before="import keras\nopt = keras.optimizers.Adam(lr=0.0002, beta_1=0.5)\nd_opt = keras.optimizers.SGD(lr=0.01)\n",
            plan=RenameArguments(Span(2, 6, 2, 50)),
            after="import keras\nopt = keras.optimizers.Adam(learning_rate=0.0002, beta_1=0.5)\nd_opt = keras.optimizers.SGD(learning_rate=0.01)\n",
        ),
        Example(
            before="import keras\nmodel.fit(x, y, nb_epoch=5, workers=4, use_multiprocessing=True)\n",
            plan=RenameArguments(Span(2, 0, 2, 64)),
            after="import keras\nmodel.fit(x, y, epochs=5)\n",
        ),
        Example(
            before="from keras.layers import Dense\nh = Dense(output_dim=64, init='uniform', W_regularizer=reg)(x)\n",
            plan=RenameArguments(Span(2, 4, 2, 59)),
            after="from keras.layers import Dense\nh = Dense(units=64, kernel_initializer='uniform', kernel_regularizer=reg)(x)\n",
        ),
        Example(
            before="import keras\nsgd = keras.optimizers.SGD(lr=0.1, decay=1e-6, momentum=0.9)\n",
            plan=RenameArguments(Span(2, 6, 2, 60)),
            after=(
                "import keras\nsgd = keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.InverseTimeDecay"
                "(0.1, decay_steps=1, decay_rate=1e-6), momentum=0.9)\n"
            ),
        ),
    )
    UNCHANGED = (
        Example(
            before="import keras\nemb = keras.layers.Embedding(100, output_dim=8)\n",
            plan=RenameArguments(Span(2, 6, 2, 47)),
            note="Embedding still takes output_dim",
        ),
        Example(
            before="import keras\nmodel.fit(x, y, epochs=5)\n",
            plan=RenameArguments(Span(2, 0, 2, 25)),
            note="nothing legacy",
        ),
    )


class _Rewriter(cst.CSTTransformer):
    def __init__(self, failing: cst.Call, keras: str) -> None:
        self.failing = failing
        self.keras = keras
        self.schedule = False

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        table, dropped = renames(original, failing=original is self.failing)
        if not table and not dropped:
            return updated
        decay = next((a for a in updated.args if a.keyword is not None and a.keyword.value == "decay"), None)
        rate = next((a for a in updated.args if a.keyword is not None and a.keyword.value in ("lr", "learning_rate")), None)
        with_schedule = decay is not None and rate is not None and "lr" in table
        args: list[cst.Arg] = []
        for arg in updated.args:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword in dropped or (with_schedule and arg is decay):
                continue
            if keyword in table:
                value = arg.value
                if with_schedule and arg is rate and decay is not None:
                    code = cst.Module([]).code_for_node
                    value = cst.parse_expression(
                        f"{self.keras}.optimizers.schedules.InverseTimeDecay({code(arg.value)}, decay_steps=1, decay_rate={code(decay.value)})"
                    )
                    self.schedule = True
                arg = arg.with_changes(keyword=cst.Name(table[keyword]), value=value)
            args.append(arg)
        if args:
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(args=keras1_kernel(original, args))


KERAS1_CONV = {"Convolution2D", "Conv2D", "AtrousConvolution2D", "Deconvolution2D", "Conv2DTranspose"}


def keras1_kernel(call: cst.Call, args: list[cst.Arg]) -> list[cst.Arg]:
    """Keras 1's `Convolution2D(nb_filter, nb_row, nb_col, ...)`: the kernel's two sizes become
    one `(nb_row, nb_col)` kernel size, as Keras 2's legacy interface read them (a third
    positional argument is Keras 2's `strides`, so only a call with Keras 1 keywords is read so)."""
    positional = [a for a in args if a.keyword is None and not a.star]
    if _callee(call) not in KERAS1_CONV or len(positional) != 3 or args[:3] != positional:
        return args
    kernel = cst.Tuple(elements=[cst.Element(value=positional[1].value, comma=positional[1].comma), cst.Element(value=positional[2].value)])
    return [positional[0], positional[1].with_changes(value=kernel, comma=positional[2].comma), *args[3:]]
