"""GF504 numpy-integer-argument.

A NumPy integer given where Keras 3 checks for a Python ``int``: the size of a layer computed
with NumPy, ``Dense(np.prod(img_shape))``, ``LSTM(np.int64(n))``. Keras 2 converted it with
``int(units)``; Keras 3's ``isinstance(units, int)`` check refuses ``numpy.int64``.

Symptom: ``ValueError: Received an invalid value for `units`, expected a positive integer.
Received: units=784``, a positive integer in the message, at the layer's construction
(``Embedding``: ``output_dim must be a positive integer. Received: output_dim=784 (of type
int64)``); for
recurrent layers ``ValueError: Exception encountered when calling LSTM.call(). output_size must
be an integer.`` where the layer is first called.

Detection: the program fails with that error (the received value is a whole number) at a layer
call in the user's file that passes that parameter (by keyword, or in its place: first for
``units`` and ``filters``, second for ``Embedding``'s ``output_dim``).

Fix: wrap the argument in ``int(...)``, which is what Keras 2 did with it: the layer gets the
same size. The same argument of the file's other Keras layer calls whose size is a direct NumPy
product (``Dense(np.prod(shape))``) is wrapped with it, since each would stop the program in turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.edits import call_at
from codemods.keras_api_table import PUBLIC
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex

_ERROR = re.compile(r"Received an invalid value for `(?P<param>\w+)`, expected a positive integer\. Received: \w+=(?P<value>\d+)(\.0)?\b")
# recurrent layers accept the NumPy integer and fail when first called on a tensor
_RECURRENT = re.compile(r"Exception encountered when calling \w+\.call\(\)[\s\S]*output_size must be an integer")
# Embedding's check: "`output_dim` must be a positive integer. Received: output_dim=784 (of type int64)"
_TYPED = re.compile(r"`(?P<param>\w+)` must be a positive integer\. Received: \w+=(?P<value>\d+) \(of type (?:numpy\.)?u?int\d+\)")
# where Keras layers take these parameters positionally: Dense/Conv first, Embedding(input_dim, output_dim)
POSITION = {"units": 0, "filters": 0, "input_dim": 0, "output_dim": 1}


@dataclass(frozen=True)
class IntArgument(Plan):
    """The `parameter` argument of the layer call at `call` is wrapped in `int(...)`."""

    call: Span
    parameter: str

    def describe(self) -> str:
        return f"int-argument: `{self.parameter}=int(...)`"


def _argument(call: cst.Call, parameter: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == parameter:
            return arg
    position = POSITION.get(parameter)
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    if position is not None and len(positional) > position and call.args[position] is positional[position]:
        return positional[position]
    return None


def _is_int_call(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "int"


def _numpy_product(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "prod"


class NumpyIntegerArgument(FaultRule):
    code = "GF504"
    name = "numpy-integer-argument"
    summary = "a NumPy integer where Keras 3 wants a Python int (Dense(np.prod(shape)))"
    flavors = ("keras3",)

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is None or error.span is None or error.type != "ValueError":
            return []
        match = _ERROR.search(error.message) or _TYPED.search(error.message)
        node = index.node_at(error.span, cst.Call)
        if match is not None:
            parameter = match.group("param")
        elif _RECURRENT.search(error.message) and isinstance(node, cst.Call) and isinstance(node.func, cst.Call):
            parameter, node = "units", node.func  # `LSTM(n)(x)`: the construction is the callee
        else:
            return []
        if not isinstance(node, cst.Call):
            return []
        arg = _argument(node, parameter)
        if arg is None or _is_int_call(arg.value):
            return []
        expression = index.module.code_for_node(arg.value)
        message = f"`{parameter}={expression}` is not a Python int (Keras 3 refuses NumPy integers): use `int({expression})`"
        plan = IntArgument(index.span_of(node), parameter)
        return [self.fault(error.span.line, error.span.col + 1, message, repairs=(plan,), explains_error=True)]

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, IntArgument):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        failing = call_at(index, plan.call)
        arg = _argument(failing, plan.parameter)
        if arg is None or _is_int_call(arg.value):
            raise Skip(f"the call passes no `{plan.parameter}` to convert")
        parameter = plan.parameter

        class Wrap(cst.CSTTransformer):
            def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
                callee = original.func.attr.value if isinstance(original.func, cst.Attribute) else getattr(original.func, "value", "")
                target = _argument(original, parameter)
                if target is None or _is_int_call(target.value):
                    return updated
                if original is not failing and not (callee in PUBLIC["keras.layers"] and _numpy_product(target.value)):
                    return updated
                position = original.args.index(target)
                new = updated.args[position]
                wrapped = cst.Call(func=cst.Name("int"), args=[cst.Arg(new.value)])
                args = list(updated.args)
                args[position] = new.with_changes(value=wrapped)
                return updated.with_changes(args=args)

        return index.module.visit(Wrap()).code

    EXAMPLES = (
        Example(
            before="import numpy as np\nfrom keras.layers import Dense\nx = Dense(np.prod(img_shape), activation='tanh')(x)\n",
            plan=IntArgument(Span(3, 4, 3, 48), "units"),
            after="import numpy as np\nfrom keras.layers import Dense\nx = Dense(int(np.prod(img_shape)), activation='tanh')(x)\n",
        ),
        Example(
            before="import keras\nh = keras.layers.LSTM(units=hidden // 2)(seq)\nout = keras.layers.Dense(np.prod(shape))(h)\n",
            plan=IntArgument(Span(2, 4, 2, 40), "units"),
            after="import keras\nh = keras.layers.LSTM(units=int(hidden // 2))(seq)\nout = keras.layers.Dense(int(np.prod(shape)))(h)\n",
        ),
        Example(
            before="from keras.layers import Embedding\ne = Embedding(10, np.prod(img_shape))(label)\n",
            plan=IntArgument(Span(2, 4, 2, 37), "output_dim"),
            after="from keras.layers import Embedding\ne = Embedding(10, int(np.prod(img_shape)))(label)\n",
        ),
    )
    UNCHANGED = (
        Example(
            before="from keras.layers import Dense\nx = Dense(int(np.prod(img_shape)))(x)\n",
            plan=IntArgument(Span(2, 4, 2, 34), "units"),
            note="already an int",
        ),
        Example(
            before="from keras.layers import Dense\nx = Dense(activation='relu')(x)\n",
            plan=IntArgument(Span(2, 4, 2, 28), "units"),
            note="no units argument",
        ),
    )
