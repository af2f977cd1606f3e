"""GF506 keras1-merge.

Keras 1's functional ``merge(inputs, mode=...)``, which Keras 2.2 removed in favour of one layer
per mode: ``merge([a, b], mode='concat', concat_axis=-1)``, ``mode='sum'`` (the default),
``'mul'``, ``'ave'``, ``'max'``, ``'dot'`` (``dot_axes``), or a function with its
``output_shape``.

Symptom: ``ImportError: cannot import name 'merge' from 'keras.layers'`` at the import.

Detection: the program fails with that error at a ``from keras.layers import ..., merge`` in the
user's file.

Fix: every ``merge(...)`` call of the file becomes the layer Keras 1 built for its mode, called on
the same list: ``Concatenate(axis=concat_axis)``, ``Add()``, ``Multiply()``, ``Average()``,
``Maximum()``, ``Dot(axes=dot_axes)``, and ``Lambda(function, output_shape=...,
arguments=...)`` for a function; ``name=`` is kept. Each computes what Keras 1's mode computed
(element-wise sum, product, mean and maximum; concatenation on the axis; the batch dot product
on the axes). The layers are imported beside the other ``keras.layers`` names, and ``merge``
leaves the import. A mode whose equivalent is not exact (``'cos'``: Keras 1 did not add
``Dot(normalize=True)``'s epsilon) or that is not a literal leaves the file unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.removed_module_path import dotted
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex

_NO_NAME = re.compile(r"cannot import name 'merge' from '(?P<module>(?:tf_)?keras(?:\.\w+)*)'")
# Keras 1 mode -> (Keras 2+ layer, {Keras 1 argument: layer argument})
MODES = {
    "sum": ("Add", {}),
    "mul": ("Multiply", {}),
    "ave": ("Average", {}),
    "max": ("Maximum", {}),
    "concat": ("Concatenate", {"concat_axis": "axis"}),
    "dot": ("Dot", {"dot_axes": "axes"}),
}
DEFAULTS = {"dot_axes": "-1"}  # Keras 1's defaults the layers lack (Concatenate's axis is -1 too)
FUNCTION_ARGUMENTS = ("output_shape", "arguments")


@dataclass(frozen=True)
class MergeLayers(Plan):
    """`merge` is no longer imported at `statement`; every `merge(...)` call becomes its layer."""

    statement: Span

    def describe(self) -> str:
        return "merge-layers: Keras 1 `merge(mode=...)` calls become Concatenate/Add/Multiply/... layers"


def merge_alias(node: cst.ImportFrom) -> str | None:
    """The name `from keras.layers import merge [as m]` binds, or None."""
    if node.relative or isinstance(node.names, cst.ImportStar) or not dotted(node.module).startswith(("keras", "tf_keras")):
        return None
    for alias in node.names:
        if dotted(alias.name) == "merge":
            return dotted(alias.asname.name) if alias.asname else "merge"  # type: ignore[arg-type]
    return None


def layer_call(call: cst.Call) -> tuple[str, cst.Call] | None:
    """(layer name, `Layer(...)(inputs)`) for a Keras 1 `merge(...)` call, or None."""
    inputs = [a for a in call.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a for a in call.args if a.keyword is not None}
    if len(inputs) != 1 or any(a.star for a in call.args) or len(call.args) > 1 and call.args[1].keyword is None:
        return None
    mode_arg = keywords.pop("mode", None)
    name_arg = keywords.pop("name", None)
    mode = mode_arg.value if mode_arg is not None else cst.SimpleString("'sum'")
    arguments: list[cst.Arg] = []  # each keeps the comma (and line break) of the argument it replaces
    if isinstance(mode, cst.SimpleString):
        if mode.evaluated_value not in MODES:
            return None
        layer, renamed = MODES[str(mode.evaluated_value)]
        if set(keywords) - set(renamed):
            return None
        for old, new in renamed.items():
            if old in keywords:
                arguments.append(keywords[old].with_changes(keyword=cst.Name(new)))
            elif old in DEFAULTS:
                arguments.append(cst.Arg(value=cst.parse_expression(DEFAULTS[old]), keyword=cst.Name(new), equal=_EQUAL))
    elif isinstance(mode, (cst.Lambda, cst.Name, cst.Attribute)) and mode_arg is not None:
        if set(keywords) - set(FUNCTION_ARGUMENTS):
            return None
        layer = "Lambda"
        arguments.append(cst.Arg(value=mode, comma=mode_arg.comma))
        arguments += [keywords[k] for k in FUNCTION_ARGUMENTS if k in keywords]
    else:
        return None
    if name_arg is not None:
        arguments.append(name_arg)
    if arguments:
        arguments[-1] = arguments[-1].with_changes(comma=call.args[-1].comma)
    construct = cst.Call(func=cst.Name(layer), args=arguments)
    return layer, cst.Call(func=construct, args=[cst.Arg(value=inputs[0].value)])


_EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


class Keras1Merge(FaultRule):
    code = "GF506"
    name = "keras1-merge"
    summary = "Keras 1 merge(inputs, mode=...) removed: the merge layer of that mode"
    flavors = ("keras3", "tf_keras")

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is None or error.span is None or error.type != "ImportError" or not _NO_NAME.search(error.message):
            return []
        for line in index.module.body:
            if not isinstance(line, cst.SimpleStatementLine) or index.range(line).start.line != error.span.line:
                continue
            for statement in line.body:
                if isinstance(statement, cst.ImportFrom) and merge_alias(statement) is not None:
                    message = "Keras 2 removed Keras 1's `merge(mode=...)`: use the layer of each mode (Concatenate, Add, Multiply, ...)"
                    plan = MergeLayers(index.span_of(statement))
                    return [self.fault(error.span.line, error.span.col + 1, message, repairs=(plan,), explains_error=True)]
        return []

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, MergeLayers):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        target = index.node_at(plan.statement, cst.ImportFrom)
        bound = merge_alias(target) if isinstance(target, cst.ImportFrom) else None
        if not isinstance(target, cst.ImportFrom) or bound is None:
            raise Skip(f"no import of `merge` at line {plan.statement.line}")
        used: list[str] = []
        refused: list[str] = []

        class Calls(cst.CSTTransformer):
            def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
                if not (isinstance(original.func, cst.Name) and original.func.value == bound):
                    return updated
                rewritten = layer_call(updated)
                if rewritten is None:
                    refused.append(index.module.code_for_node(original))
                    return updated
                if rewritten[0] not in used:
                    used.append(rewritten[0])
                return rewritten[1]

        module = index.module.visit(Calls())
        if refused:
            raise Skip(f"no exact layer for `{refused[0]}`")
        module_name = "tf_keras.layers" if dotted(target.module).startswith("tf_keras") else "keras.layers"
        statement: cst.ImportFrom = target

        class Imports(cst.CSTTransformer):
            def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
                if not original.deep_equals(statement):
                    return updated
                assert not isinstance(updated.names, cst.ImportStar)
                kept = [a for a in updated.names if dotted(a.name) != "merge"]
                present = {dotted(a.name) for a in kept}
                names = [*kept, *(cst.ImportAlias(name=cst.Name(n)) for n in used if n not in present)]
                names = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in names]
                return updated.with_changes(module=cst.parse_expression(module_name), names=names)

        return module.visit(Imports()).code

    EXAMPLES = (
        Example(
            before="from keras.layers import Input, Dense, merge\na = Input((4,))\nb = Input((4,))\n"
            "x = merge([a, b], mode='concat', concat_axis=1, name='joined')\ny = merge([a, b], mode='sum')\n",
            plan=MergeLayers(Span(1, 0, 1, 44)),
            after="from keras.layers import Input, Dense, Concatenate, Add\na = Input((4,))\nb = Input((4,))\n"
            "x = Concatenate(axis=1, name='joined')([a, b])\ny = Add()([a, b])\n",
        ),
        Example(
            before="from keras.layers import merge\nfrom keras import backend as K\n"
            "z = merge([mu, log_var], mode=lambda p: p[0] + K.exp(p[1] / 2), output_shape=lambda p: p[0])\n",
            plan=MergeLayers(Span(1, 0, 1, 30)),
            after="from keras.layers import Lambda\nfrom keras import backend as K\n"
            "z = Lambda(lambda p: p[0] + K.exp(p[1] / 2), output_shape=lambda p: p[0])([mu, log_var])\n",
        ),
        Example(
            before="from keras.layers import Dense, merge\ndef head(a, b):\n    avg = merge([a, b], mode='ave')\n"
            "    return merge([avg, b], mode='dot', dot_axes=1)\n",
            plan=MergeLayers(Span(1, 0, 1, 37)),
            after="from keras.layers import Dense, Average, Dot\ndef head(a, b):\n    avg = Average()([a, b])\n"
            "    return Dot(axes=1)([avg, b])\n",
        ),
        Example(
            before="from keras.layers import merge\nx = merge([a, b])\n",
            plan=MergeLayers(Span(1, 0, 1, 30)),
            after="from keras.layers import Add\nx = Add()([a, b])\n",
            note="Keras 1's default mode is 'sum'",
        ),
    )
    UNCHANGED = (
        Example(
            before="from keras.layers import merge\nx = merge([a, b], mode='cos', dot_axes=1)\n",
            plan=MergeLayers(Span(1, 0, 1, 30)),
            note="'cos' has no exact layer",
        ),
        Example(
            before="from keras.layers import Concatenate\nx = Concatenate()([a, b])\n",
            plan=MergeLayers(Span(1, 0, 1, 36)),
            note="no merge import",
        ),
    )
