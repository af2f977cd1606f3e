"""GF402 removed-backend-api.

A ``keras.backend`` function that Keras 3 removed: ``K.get_value``, ``K.set_value``,
``K.batch_get_value``, ``K.eval``, ``K.variable``, ``K.int_shape``, and the session-era
``K.get_session``, ``K.set_session``, ``K.placeholder``, ``K.gradients`` (``K.function`` is GF202;
backend math that ``keras.ops`` has, ``K.mean``, ``K.maximum``, ..., is GF505).

Symptom: Keras 3 raises ``AttributeError: module 'keras.backend' has no attribute 'get_value'``
(or ``'keras._tf_keras.keras.backend'``) where the program calls it. tf-keras still has them.

Detection: the program fails with that error and the failing expression in the user's file is
``<module>.<name>`` for one of these names.

Fix, where Keras 3 documents a replacement with the same result:
``K.get_value(x)`` and ``K.eval(x)`` -> ``keras.ops.convert_to_numpy(x)`` (the same NumPy
value); ``K.batch_get_value(xs)`` -> ``list(map(keras.ops.convert_to_numpy, xs))`` (the same
list); ``K.set_value(v, value)`` -> ``v.assign(value)`` (the variable ends with the same
value); ``K.variable(value)`` -> ``keras.Variable(value)``; ``K.int_shape(x)`` ->
``tuple(x.shape)``. The session-era functions have no drop-in replacement: they are reported
with what to use instead (eager calls, ``keras.Input``, ``tf.GradientTape``, a sub-model) and
the code is left alone.

``K.gradients`` fetched by a ``K.function`` (Grad-CAM, saliency maps, gradient ascent on the
input: ``grads = K.gradients(loss, conv.output)[0]`` ... ``f = K.function([model.input], [a,
b])``) has an exact TF2 form. Symptom: ``RuntimeError: tf.gradients is not supported when eager
execution is enabled`` (both flavours), or Keras 3 failing earlier on a backend op applied to a
Keras tensor of that graph. Detection: the failing statement is ``K.gradients`` or one of the
statements the function's outputs depend on, and ``f = K.function(inputs, outputs)`` follows in
the same block. Fix: the Keras tensors the graph reads (``x.output``, ``x.input``, ...) become
the outputs of one sub-model ``f_model = Model(inputs, [...])`` built where ``f`` was, and ``f``
becomes a function with the same contract (a list of fed values in, NumPy values out) that runs
the sub-model on the fed values under a ``tf.GradientTape`` watching them and its outputs, then
the same statements in the same order (the loss under the tape), with ``K.gradients(loss, x)``
as ``[tape.gradient(loss, x)]`` (``[0]`` taken: ``tape.gradient(loss, x)``). The statements it
computed move into the function; the statements they read but do not compute (a layer lookup, a
class index) stay where they were. A fed learning phase is ignored: the sub-model runs in
inference mode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

import libcst as cst

from codemods.backend_function import is_backend_function, model_constructor, without_learning_phase
from codemods.base import Example, FaultRule, Skip
from codemods.edits import add_import, call_at, drop_unused_backend_imports, model_arg
from codemods.gradient_penalty import LAYER_SOURCE, penalty, rewrite
from codemods.keras_api_table import BACKEND_MATH
from codemods.session_decode import module_alias
from codemods.tf_op_on_keras_tensor import _names, keras_prefix
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex

_ERROR = re.compile(r"module '(?P<module>[\w.]*backend)' has no attribute '(?P<name>\w+)'")
_EAGER_GRADIENTS = "tf.gradients is not supported when eager execution is enabled"

REWRITES = {
    "get_value": "{ops}.convert_to_numpy({0})",
    "eval": "{ops}.convert_to_numpy({0})",
    "batch_get_value": "list(map({ops}.convert_to_numpy, {0}))",
    "set_value": "{0}.assign({1})",
    "variable": "{keras}.Variable({0})",
    "int_shape": "tuple({0}.shape)",
}
REPORT_ONLY = {
    "get_session": "TF2 runs eagerly: call the model or function directly and drop the session",
    "set_session": "Keras 3 has no session: remove the call (configure TensorFlow with tf.config instead)",
    "placeholder": "use keras.Input(shape=...) for model inputs, or pass tensors as arguments",
    "gradients": "use tf.GradientTape to compute gradients",
    "batch_set_value": "assign each variable: `for v, value in pairs: v.assign(value)`",
}


@dataclass(frozen=True)
class Replacement(Plan):
    """The call of the removed `backend.<name>` at `call` becomes its documented Keras 3
    replacement (`REWRITES[name]`)."""

    call: Span
    name: str

    def describe(self) -> str:
        replacement = REWRITES.get(self.name, "?").format("x", "value", ops="keras.ops", keras="keras")
        return f"replacement: `backend.{self.name}(...)` becomes `{replacement}`"


@dataclass(frozen=True)
class InputGradientsOutput(Plan):
    """`K.gradients(y_pred, samples)` in a loss bound to `samples` with `partial`: the model output
    the loss receives becomes the gradients, computed by a layer under `tf.GradientTape`
    (`codemods/gradient_penalty.py`)."""

    gradients: Span
    reshapes_outputs: ClassVar[bool] = True  # the output becomes the gradients, as the loss needs

    def describe(self) -> str:
        return "input-gradients output: the output the loss differentiates becomes `InputGradients(model)(samples)`, the loss reads it as its gradients"


@dataclass(frozen=True)
class GradientTapeFunction(Plan):
    """The `K.gradients` call at `gradients` and the `f = K.function(inputs, outputs)` that
    fetches what depends on it become a sub-model of the Keras tensors the graph reads and a
    function `f(values)` computing the same outputs eagerly under `tf.GradientTape`."""

    gradients: Span

    def describe(self) -> str:
        return "gradient tape: the `K.gradients` graph and the `K.function` fetching it become a function over a sub-model under `tf.GradientTape`"


_GP_SOURCE = (
    "from functools import partial\n"
    "import keras\n"
    "from keras import backend as K\n"
    "\n"
    "def gp_loss(y_true, y_pred, samples):\n"
    "    grads = K.gradients(y_pred, samples)[0]\n"
    "    return keras.ops.mean(keras.ops.square(1 - keras.ops.norm(grads, axis=1)))\n"
    "\n"
    "mixed = keras.Input((4,))\n"
    "score = critic(mixed)\n"
    "gp = partial(gp_loss, samples=mixed)\n"
    "trainer = keras.Model(mixed, [score])\n"
    "trainer.compile(loss=[gp], optimizer='adam')\n"
)


class RemovedBackendApi(FaultRule):
    code = "GF402"
    name = "removed-backend-api"
    summary = "a keras.backend function that Keras 3 removed"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is None or error.span is None:
            return []
        if _EAGER_GRADIENTS in error.message:
            return self._gradients(index, error.span)
        match = _ERROR.search(error.message) if error.type == "AttributeError" else None
        if match is None:
            return self._inside_gradient_graph(index, error.span)
        name = match.group("name")
        if name == "gradients":
            return self._gradients(index, error.span)
        if name == "function" or (name == "get_session" and "run(" in index.source) or name in BACKEND_MATH:
            return []  # GF202 backend-function, GF203 session-fetch, GF505 removed-backend-math
        line, col = error.span.line, error.span.col + 1
        lead = f"`backend.{name}` was removed in Keras 3"
        if name in REPORT_ONLY:
            return [self.fault(line, col, f"{lead}: {REPORT_ONLY[name]}")]
        if name not in REWRITES:
            return [self.fault(line, col, f"{lead}; no direct replacement is known")]
        call = _call_of(index, error.span)
        if call is None:
            return [self.fault(line, col, f"{lead}; the call could not be located")]
        replacement = REWRITES[name].format("x", "value", ops="keras.ops", keras="keras")
        plan = Replacement(index.span_of(call), name)
        return [self.fault(line, col, f"{lead}; use `{replacement}`", repairs=(plan,))]

    def _gradients(self, index: SourceIndex, span: Span) -> list[Fault]:
        line, col = span.line, span.col + 1
        lead = f"`backend.gradients` needs a TF1 graph: {REPORT_ONLY['gradients']}"
        call = _call_of(index, span)
        if call is None:
            return [self.fault(line, col, lead)]
        try:
            graph = _gradient_fetch(index, call)
        except Skip as exc:
            try:
                penalty(index, call)
            except Skip as why:
                return [self.fault(line, col, f"{lead} ({exc}; not a gradient penalty: {why})")]
            message = f"{lead}: a gradient penalty in a loss; the output it differentiates becomes its input gradients, from a tape in a layer"
            return [self.fault(line, col, message, repairs=(InputGradientsOutput(index.span_of(call)),))]
        plan = GradientTapeFunction(index.span_of(call))
        message = f"{lead}: `{graph.name}` becomes a function computing its outputs under a tape, on a sub-model"
        return [self.fault(line, col, message, repairs=(plan,))]

    def _inside_gradient_graph(self, index: SourceIndex, span: Span) -> list[Fault]:
        """A Keras 2 op on a Keras tensor that fails before `K.gradients` is reached (Keras 3's
        legacy `K.mean` on a `KerasTensor`): the same rewrite when the failing statement is a
        statement of the graph a `K.function` fetches with the gradients."""
        if "gradients(" not in index.source:
            return []
        node = index.node_at(span, cst.Attribute) or index.node_at(span, cst.Call) or index.node_at(span, cst.Name)
        failing = index.statement_of(node) if node is not None else None
        block = index.parent(failing) if failing is not None else None
        if block is None:
            return []
        for call in index.positions:
            if not (
                isinstance(call, cst.Call)
                and isinstance(call.func, cst.Attribute)
                and call.func.attr.value == "gradients"
            ):
                continue
            if index.parent(index.statement_of(call) or call) is not block:
                continue
            try:
                graph = _gradient_fetch(index, call)
            except Skip:
                continue
            if failing in graph.moved:
                plan = GradientTapeFunction(index.span_of(call))
                message = f"a Keras 2 graph computed on Keras tensors for `K.gradients`: `{graph.name}` becomes a function computing it under a tape, on a sub-model"
                return [self.fault(span.line, span.col + 1, message, repairs=(plan,))]
        return []

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if isinstance(plan, InputGradientsOutput):
            tf = module_alias(index, "tensorflow")
            code = rewrite(
                index, penalty(index, call_at(index, plan.gradients)), keras_prefix(index) or "keras", tf or "tf"
            )
            code = drop_unused_backend_imports(code)
            code = code if tf else add_import(code, "import tensorflow as tf")
            return code if keras_prefix(index) else add_import(code, "import keras")
        if isinstance(plan, GradientTapeFunction):
            return drop_unused_backend_imports(_gradient_function(index, call_at(index, plan.gradients)))
        if not isinstance(plan, Replacement):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        if plan.name not in REWRITES:
            raise Skip(f"`backend.{plan.name}` has no drop-in replacement")
        call = call_at(index, plan.call)
        template = REWRITES[plan.name]
        arguments = [a for a in call.args if a.keyword is None and not a.star]
        needed = len(re.findall(r"\{\d\}", template))
        if len(arguments) != needed or len(call.args) != needed:
            raise Skip(f"`{plan.name}` is called with arguments that do not map")
        keras = keras_prefix(index) or "keras"
        texts = [index.module.code_for_node(a.value) for a in arguments]
        if plan.name in ("set_value", "int_shape") and not isinstance(
            arguments[0].value, (cst.Name, cst.Attribute, cst.Subscript)
        ):
            texts[0] = f"({texts[0]})"
        expression = cst.parse_expression(template.format(*texts, ops=f"{keras}.ops", keras=keras))

        class Replace(cst.CSTTransformer):
            def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
                return expression if original is call else updated

        code = drop_unused_backend_imports(index.module.visit(Replace()).code)
        needs_import = "{keras}" in template or "{ops}" in template
        return add_import(code, "import keras") if needs_import and not keras_prefix(index) else code

    EXAMPLES = (
        Example(
            before="import keras\nfrom keras import backend as K\nK.set_value(model.optimizer.learning_rate, 1e-4)\n",
            plan=Replacement(Span(3, 0, 3, 48), "set_value"),
            after="import keras\nmodel.optimizer.learning_rate.assign(1e-4)\n",
        ),
        Example(
            before="import tensorflow as tf\nweights = tf.keras.backend.batch_get_value(model.weights)\n",
            plan=Replacement(Span(2, 10, 2, 57), "batch_get_value"),
            after="import tensorflow as tf\nweights = list(map(tf.keras.ops.convert_to_numpy, model.weights))\n",
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "from tensorflow.keras import backend as K\n"
                "score = net.output[:, k]\n"
                "grads = K.gradients(score, net.get_layer('conv').output)[0]\n"
                "fetch = K.function([net.input], [K.mean(grads, axis=(0, 1, 2)), net.get_layer('conv').output[0]])\n"
                "weights, maps = fetch([image])\n"
            ),
            plan=GradientTapeFunction(Span(4, 8, 4, 56)),
            after=(
                "import tensorflow as tf\n"
                "from tensorflow.keras import backend as K\n"
                "fetch_model = tf.keras.Model([net.input], [net.output, net.get_layer('conv').output])\n"
                "\n\n"
                "def fetch(values):\n"
                "    feeds = [tf.convert_to_tensor(value) for value in values[:1]]\n"
                "    with tf.GradientTape() as tape:\n"
                "        tape.watch(feeds)\n"
                "        net_output, net_get_layer_conv_output = fetch_model(feeds[0])\n"
                "        tape.watch([net_output, net_get_layer_conv_output])\n"
                "        score = net_output[:, k]\n"
                "    grads = tape.gradient(score, net_get_layer_conv_output)\n"
                "    return [K.mean(grads, axis=(0, 1, 2)).numpy(), net_get_layer_conv_output[0].numpy()]\n"
                "\n\n"
                "weights, maps = fetch([image])\n"
            ),
        ),
        Example(
            before=_GP_SOURCE,
            plan=InputGradientsOutput(Span(6, 12, 6, 40)),
            after=(
                "from functools import partial\n"
                "import keras\n"
                "import tensorflow as tf\n"
                "\n"
                "\n" + LAYER_SOURCE.format(keras="keras", tf="tf") + "\n"
                "def gp_loss(y_true, y_pred, samples):\n"
                "    grads = y_pred\n"
                "    return keras.ops.mean(keras.ops.square(1 - keras.ops.norm(grads, axis=1)))\n"
                "\n"
                "mixed = keras.Input((4,))\n"
                "score = InputGradients(critic)(mixed)\n"
                "gp = partial(gp_loss, samples=mixed)\n"
                "trainer = keras.Model(mixed, [score])\n"
                "trainer.compile(loss=[gp], optimizer='adam')\n"
            ),
        ),
    )
    UNCHANGED = (
        Example(
            before=_GP_SOURCE + "scores = trainer.predict(x)\n",
            plan=InputGradientsOutput(Span(6, 12, 6, 40)),
            note="the trained model's output is also predicted: the gradients would change what predict returns",
        ),
        Example(
            before=(
                "import tensorflow as tf\nfrom tensorflow.keras import backend as K\n"
                "grads = K.gradients(model.output, model.input)[0]\nlog(grads)\n"
                "f = K.function([model.input], [grads])\n"
            ),
            plan=GradientTapeFunction(Span(3, 8, 3, 46)),
            note="the gradient tensor is also read outside the fetched graph",
        ),
        Example(
            before="import keras\nfrom keras import backend as K\nK.set_value(v, 1.0, extra)\n",
            plan=Replacement(Span(3, 0, 3, 26), "set_value"),
            note="more arguments than the replacement takes",
        ),
    )


def _call_of(index: SourceIndex, span: Span) -> cst.Call | None:
    """The call whose function is the failing `K.<name>` attribute (or the call itself)."""
    node = index.node_at(span, cst.Attribute) or index.node_at(span, cst.Call)
    if isinstance(node, cst.Call):
        return node
    parent = index.parent(node) if node is not None else None
    if isinstance(parent, cst.Call) and parent.func is node:
        return parent
    return None


_LEAVES = ("output", "outputs", "input", "inputs")


@dataclass(frozen=True)
class _GradientFetch:
    """The statements of one `K.gradients` ... `f = K.function(ins, outs)` graph in a block."""

    block: cst.Module | cst.IndentedBlock
    moved: list[cst.SimpleStatementLine]  # the symbolic statements, in order
    gradient: cst.SimpleStatementLine
    definition: cst.SimpleStatementLine  # `f = K.function(...)`
    name: str
    inputs: list[cst.BaseExpression]
    outputs: cst.BaseExpression


def _reads_of(node: cst.CSTNode) -> set[str]:
    """Names an expression reads (not attribute names, not keywords)."""
    return {name.value for name in _names(node)}


def _assignment(statement: cst.CSTNode) -> cst.Assign | cst.AugAssign | None:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if isinstance(small, (cst.Assign, cst.AugAssign)):
            return small
    return None


def _targets(assignment: cst.Assign | cst.AugAssign) -> set[str]:
    targets = [assignment.target] if isinstance(assignment, cst.AugAssign) else [t.target for t in assignment.targets]
    names: set[str] = set()
    for target in targets:
        elements = [e.value for e in target.elements] if isinstance(target, (cst.Tuple, cst.List)) else [target]
        for element in elements:
            if not isinstance(element, cst.Name):
                raise Skip("a statement of the gradient graph assigns something other than names")
            names.add(element.value)
    return names


def _leaves(node: cst.CSTNode) -> list[cst.Attribute]:
    """Keras tensors a statement reads: `<x>.output`, `.outputs`, `.input`, `.inputs`."""
    found: list[cst.Attribute] = []

    class Leaves(cst.CSTVisitor):
        def visit_Attribute(self, n: cst.Attribute) -> bool:
            if n.attr.value in _LEAVES:
                found.append(n)
                return False
            return True

    node.visit(Leaves())
    return found


def _gradient_fetch(index: SourceIndex, gradients: cst.Call) -> _GradientFetch:
    """The backward slice, within the block of `gradients`, of the first `K.function` after it."""
    statement = index.statement_of(gradients)
    block = index.parent(statement) if statement is not None else None
    if not isinstance(statement, cst.SimpleStatementLine) or not isinstance(block, (cst.Module, cst.IndentedBlock)):
        raise Skip("`K.gradients` is not in a statement of its own")
    body = list(block.body)
    start = next(i for i, s in enumerate(body) if s is statement)
    position, fetch = next(
        (
            (i, s)
            for i, s in enumerate(body[start + 1 :], start + 1)
            if (a := _assignment(s)) is not None
            and isinstance(a.value, cst.Call)
            and is_backend_function(index, a.value)
        ),
        (None, None),
    )
    if position is None or fetch is None:
        raise Skip("no `K.function` fetches the gradients in the same block")
    definition = _assignment(fetch)
    assert isinstance(definition, cst.Assign) and isinstance(definition.value, cst.Call)
    name = index.bound_name(definition.value)
    call = definition.value
    inputs, outputs = model_arg(call, 0, "inputs"), model_arg(call, 1, "outputs")
    if name is None or inputs is None or outputs is None or len(call.args) != 2:
        raise Skip("the `K.function` is not `name = K.function(inputs, outputs)`")
    fed = (
        without_learning_phase(inputs.value)
        if "learning_phase" in index.module.code_for_node(inputs.value)
        else inputs.value
    )
    if not isinstance(fed, (cst.List, cst.Tuple)):
        raise Skip("the `K.function` inputs are not a list of tensors")
    # the statements the fetched outputs depend on, then those of them that are symbolic
    needed = _reads_of(outputs.value)
    candidates: list[cst.SimpleStatementLine] = []
    for candidate in reversed(body[:position]):
        assignment = _assignment(candidate)
        if assignment is None or not (_targets(assignment) & needed):
            continue
        assert isinstance(candidate, cst.SimpleStatementLine)
        candidates.insert(0, candidate)
        if isinstance(assignment, cst.Assign):
            needed -= _targets(assignment)
        needed |= _reads_of(assignment.value)
    moved: list[cst.SimpleStatementLine] = []
    symbolic: set[str] = set()
    for candidate in candidates:
        assignment = _assignment(candidate)
        assert assignment is not None
        if candidate is statement or _leaves(assignment.value) or _reads_of(assignment.value) & symbolic:
            moved.append(candidate)
            symbolic |= _targets(assignment)
    if statement not in moved:
        raise Skip("the `K.function` outputs do not depend on the gradients")
    scope = index.scope_of(definition)
    if scope is not None:
        for target in symbolic:
            for reference in index.loads(target, scope):
                if index.statement_of(reference) not in (*moved, fetch):
                    raise Skip(f"`{target}` of the gradient graph is read outside it")
    assert isinstance(fetch, cst.SimpleStatementLine)
    return _GradientFetch(block, moved, statement, fetch, name, [e.value for e in fed.elements], outputs.value)


def _fresh(index: SourceIndex, base: str, taken: set[str]) -> str:
    """`base`, or `base_2`, ... : a name no identifier of the file spells."""
    used = {n.value for n in index.positions if isinstance(n, cst.Name)} | taken
    name, counter = base, 1
    while name in used:
        counter += 1
        name = f"{base}_{counter}"
    taken.add(name)
    return name


def _tf_alias(index: SourceIndex) -> str | None:
    for line in index.module.body:
        if isinstance(line, cst.SimpleStatementLine):
            for small in line.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        if index.module.code_for_node(alias.name) == "tensorflow":
                            return alias.evaluated_alias or "tensorflow"
    return None


def _gradient_function(index: SourceIndex, gradients: cst.Call) -> str:
    """The rewrite of `GradientTapeFunction` (see the module docstring)."""
    graph = _gradient_fetch(index, gradients)
    tf = _tf_alias(index) or "tf"
    code = index.module.code_for_node
    taken: set[str] = set()
    model = _fresh(index, f"{graph.name}_model", taken)
    values, feeds, tape = (_fresh(index, base, taken) for base in ("values", "feeds", "tape"))
    inputs = {code(e): i for i, e in enumerate(graph.inputs)}
    leaves: dict[str, str] = {}
    for node in [leaf for s in graph.moved for leaf in _leaves(s)] + _leaves(graph.outputs):
        text = code(node)
        if text not in inputs and text not in leaves:
            base = re.sub(r"\W+", "_", text).strip("_")
            leaves[text] = _fresh(index, base if base.isidentifier() and len(base) <= 32 else "tensor", taken)

    def replaced(node: cst.CSTNode) -> cst.CSTNode:
        class Leaves(cst.CSTTransformer):
            def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
                text = code(original)
                if text in inputs:
                    return cst.parse_expression(f"{feeds}[{inputs[text]}]")
                return cst.Name(leaves[text]) if text in leaves else updated

            def leave_Subscript(self, original: cst.Subscript, updated: cst.Subscript) -> cst.BaseExpression:
                return updated.value if original is first_only else updated

            def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
                if original is not gradients:
                    return updated
                if score is not None:
                    updated = updated.with_changes(
                        args=[updated.args[0].with_changes(value=cst.Name(score)), *updated.args[1:]]
                    )
                return _tape_gradient(updated, tape, single=first_only is not None)

        result = node.visit(Leaves())
        assert isinstance(result, cst.CSTNode)
        return result

    loss = gradients.args[0].value if gradients.args else None
    score = None if loss is None or isinstance(loss, cst.Name) else _fresh(index, "target", taken)
    parent = index.parent(gradients)
    first_only = parent if isinstance(parent, cst.Subscript) and parent.value is gradients and _first(parent) else None

    before = graph.moved[: graph.moved.index(graph.gradient)]
    after = graph.moved[graph.moved.index(graph.gradient) :]
    lines = [
        f"{model} = {model_constructor(index)}([{', '.join(code(e) for e in graph.inputs)}], "
        + (f"[{', '.join(leaves)}])" if len(leaves) != 1 else f"{next(iter(leaves))})"),
        f"def {graph.name}({values}):",
        f"    {feeds} = [{tf}.convert_to_tensor(value) for value in {values}[:{len(graph.inputs)}]]",
        f"    with {tf}.GradientTape() as {tape}:",
        f"        {tape}.watch({feeds})",
    ]
    if leaves:
        called = f"{feeds}[0]" if len(graph.inputs) == 1 else feeds
        lines.append(f"        {', '.join(leaves.values())} = {model}({called})")
        lines.append(f"        {tape}.watch([{', '.join(leaves.values())}])")
    lines += [f"        {line}" for s in before for line in _lines(replaced(s.with_changes(leading_lines=[])))]
    if score is not None and loss is not None:  # the loss must be computed under the tape: it gets a name there
        lines.append(f"        {score} = {cst.Module(body=[]).code_for_node(replaced(loss))}")
    lines += [f"    {line}" for s in after for line in _lines(replaced(s.with_changes(leading_lines=[])))]
    fetched = replaced(graph.outputs)
    if isinstance(fetched, (cst.List, cst.Tuple)):
        lines.append(f"    return [{', '.join(f'{_operand(e.value)}.numpy()' for e in fetched.elements)}]")
    else:  # a tensor or a list of them, as `K.function` gave
        lines.append(f"    return {tf}.nest.map_structure(lambda t: t.numpy(), {code(fetched)})")
    new = list(cst.parse_module("\n".join(lines) + "\n").body)
    spacing = [cst.EmptyLine(indent=False)] * (2 if isinstance(graph.block, cst.Module) else 1)
    new[1] = new[1].with_changes(leading_lines=spacing)
    body: list[cst.BaseStatement] = []
    pending: list[cst.EmptyLine] = []  # the comments above a moved statement stay where they were
    for statement in graph.block.body:
        if statement in graph.moved:
            pending += getattr(statement, "leading_lines", ())
        elif statement is graph.definition:
            body += [new[0].with_changes(leading_lines=[*pending, *graph.definition.leading_lines]), *new[1:]]
            pending = spacing
        else:
            leading = list(getattr(statement, "leading_lines", ()))
            if pending is spacing and leading:
                pending = []  # the statement after the new function keeps its own blank lines
            body.append(statement.with_changes(leading_lines=[*pending, *leading]) if pending else statement)
            pending = []

    class Splice(cst.CSTTransformer):
        def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode) -> Any:
            return updated.with_changes(body=body) if original is graph.block else updated

    result = cst.ensure_type(index.module.visit(Splice()), cst.Module).code
    return result if _tf_alias(index) else add_import(result, "import tensorflow as tf")


def _first(subscript: cst.Subscript) -> bool:
    if len(subscript.slice) != 1 or not isinstance(subscript.slice[0].slice, cst.Index):
        return False
    value = subscript.slice[0].slice.value
    return isinstance(value, cst.Integer) and value.value == "0"


def _tape_gradient(call: cst.BaseExpression, tape: str, single: bool) -> cst.BaseExpression:
    """`K.gradients(loss, x)` -> `[tape.gradient(loss, x)]` (`K.gradients` gives a list);
    `K.gradients(loss, x)[0]` -> `tape.gradient(loss, x)`; a list of sources stays a list."""
    assert isinstance(call, cst.Call)
    args = [a for a in call.args if a.keyword is None]
    if len(args) != 2 or len(call.args) != 2:
        raise Skip("`K.gradients` takes arguments other than loss and variables")
    gradient = cst.Call(cst.Attribute(cst.Name(tape), cst.Name("gradient")), args=list(call.args))
    listed = isinstance(args[1].value, (cst.List, cst.Tuple))
    if single:
        if listed:
            raise Skip("`K.gradients(loss, [...])[0]` with a list of sources")
        return gradient
    return gradient if listed else cst.List([cst.Element(gradient)])


def _lines(statement: cst.CSTNode) -> list[str]:
    text = cst.Module(body=[statement]).code  # type: ignore[list-item]
    return [line for line in text.rstrip("\n").split("\n")]


def _operand(expression: cst.CSTNode) -> str:
    text = cst.Module(body=[]).code_for_node(expression)
    simple = isinstance(expression, (cst.Name, cst.Attribute, cst.Subscript, cst.Call))
    return text if simple else f"({text})"
