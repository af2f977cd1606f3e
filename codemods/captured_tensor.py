"""GF304 captured-tensor.

A ``tf.function`` reads a module-level name holding a tensor instead of taking it as an
argument, so the tensor is captured when the function is traced.

Symptom: it depends on the tensor:
- an eager tensor is baked in: rebinding the name later (``scale = tf.constant(3.0)`` after the
  first call) changes nothing, the function keeps multiplying by 2 (silent);
- a Keras 3 symbolic tensor cannot be captured at all: ``ValueError: A KerasTensor cannot be used
  as input to a TensorFlow function``.

Detection: a ``tf.function``-decorated function of the file reads a module-level name that the
module binds to a TensorFlow tensor (``tf.constant(...)``, ``tf.ones(...)``, ..., not a
``tf.Variable``, which is captured by reference and stays live) and rebinds after the function
is first called; or the program fails with the KerasTensor error at a call of that function.

Fix: pass the captured tensor as an argument: the name becomes a parameter of the function, and
every call of the function in the file passes it by keyword (``f(x, scale=scale)``), so each call
reads the current binding. A function that is also used in other ways (passed as a callback,
called from another module) is reported, not rewritten: its other callers would break.

Loss closures: a loss or metric given to ``compile`` (a function, a nested closure, a method
given as ``self.loss``) that reads tensors of the functional graph (a VAE's ``z_mean`` and
``z_log_var``, directly or kept on ``self``) fails once ``fit`` traces it: Keras 3 with the
KerasTensor error, tf-keras with "an intermediate TF-Keras symbolic input/output"; also a loss
made by a factory given those tensors (``loss=make_loss(z_mean, z_log_var)``). Detected
from either error and the source (``loss_closure.py``). Fix (``add-loss-in-graph``): the loss's
terms that read only those tensors move into a small layer applied to them right where they are
computed, which adds their batch mean with ``add_loss`` and passes them on unchanged; the loss
keeps the terms that read the batch, and a metric that reported only a moved term is dropped.
A factory's constant arguments the moved terms read (``beta=0.5``) become locals of the layer,
and the factory loses the parameters it no longer reads. The model's outputs and weights are
unchanged; the total loss is the same.

Functional `add_loss`: `model.add_loss(<expression of the model's tensors>)` after a functional
model is built works in tf-keras, but Keras 3 raises a bare `NotImplementedError` there. Fix
(``add-loss-in-layer``, ``functional_add_loss.py``): the expression, with the statements that
only feed it, moves into a layer applied to those tensors where they are computed, which calls
`add_loss` on it in the graph and passes its inputs on unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.functional_add_loss import add_loss_in_layer, added_losses
from codemods.loss_closure import add_loss_in_graph, capturing_losses
from codemods.tf_functions import enclosing_class, functions, qualified_names, tf_function_decorator
from graphfix.ftypes import Evidence, Fault, Plan
from graphfix.source import SourceIndex

KERAS_TENSOR = "A KerasTensor cannot be used as input to a TensorFlow function"
TF_KERAS_SYMBOLIC = "an intermediate TF-Keras symbolic input/output"


@dataclass(frozen=True)
class PassAsArgument(Plan):
    """The module-level `names` that `function` reads become its parameters, passed by keyword
    at every call of it in the file."""

    function: str
    names: tuple[str, ...]

    def describe(self) -> str:
        names = ", ".join(f"`{n}`" for n in self.names)
        return f"pass as argument: `{self.function}` takes {names} as a parameter; every call passes it"


@dataclass(frozen=True)
class AddLossInGraph(Plan):
    """The terms of the compiled loss `loss` that read the model's symbolic tensors (and not the
    batch) move into a layer applied to those tensors, which adds them with `add_loss`; the loss
    keeps the rest, and a metric that reported only a moved term is dropped."""

    loss: str

    def describe(self) -> str:
        return f"add loss in graph: the terms of `{self.loss}` read from the model's tensors are added by a layer with `add_loss`"


@dataclass(frozen=True)
class AddLossInLayer(Plan):
    """The `<model>.add_loss(...)` statement at `line`, and the statements that only feed it, move
    into a layer applied to the model's tensors it reads, which calls `add_loss` in the graph."""

    line: int

    def describe(self) -> str:
        return f"add loss in layer: the loss added at line {self.line} is added by a layer applied to the tensors it reads"


class CapturedTensor(FaultRule):
    code = "GF304"
    name = "captured-tensor"
    summary = "a tf.function reads a global tensor (captured at trace time) instead of an argument"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        symbolic_error = evidence.error is not None and KERAS_TENSOR in evidence.error.message
        faults = self._loss_closures(evidence, index) + self._functional_add_loss(evidence, index)
        if "function" not in index.source:
            return faults
        for function, captured in _captures(index, symbolic_error, evidence.rebound):
            calls = _call_sites(index, function)
            names = ", ".join(f"`{n}`" for n in captured)
            span = index.span_of(function.name)
            what = "a Keras symbolic tensor it cannot capture" if symbolic_error else "a tensor frozen when it was traced"
            seen = [n for n in captured if n in evidence.rebound.get(function.name.value, ())]
            if seen and not symbolic_error:
                what += f" (the probe saw {', '.join(f'`{n}`' for n in seen)} rebound after the trace)"
            message = f"`{function.name.value}` reads {names} from the module: {what}; pass it as an argument"
            repairs = (PassAsArgument(function.name.value, tuple(captured)),) if calls is not None else ()
            if not repairs:
                message += " (the function is also used other than by direct calls)"
            faults.append(self.fault(span.line, span.col + 1, message, repairs=repairs, explains_error=symbolic_error))
        return faults

    def _loss_closures(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        """Losses given to `compile` that read the model's symbolic tensors, when the program
        failed on a symbolic tensor (Keras 3 in the loss, tf-keras while tracing `fit`)."""
        error = evidence.error
        if error is None or not (KERAS_TENSOR in error.message or TF_KERAS_SYMBOLIC in error.message):
            return []
        faults = []
        found = capturing_losses(index)
        with_loss = {id(c.compile) for c, _ in found if c.role == "loss"}
        for compiled, keys in found:
            if compiled.role == "metric" and id(compiled.compile) in with_loss:
                continue  # the loss's repair takes the metric's term out too
            name = compiled.function.name.value
            span = index.span_of(compiled.function.name)
            names = ", ".join(f"`{k}`" for k in keys)
            if compiled.factory is not None:
                names += f" (given by `{index.module.code_for_node(compiled.factory)}`)"
            message = (
                f"the {compiled.role} `{name}` given to `compile` reads {names}, symbolic tensors of the model's graph, "
                "not values of the batch; add that term inside the model (`add_loss` in a layer)"
            )
            repairs: tuple[Plan, ...] = ()
            if compiled.role == "loss":
                try:
                    add_loss_in_graph(index, name)
                    repairs = (AddLossInGraph(name),)
                except Skip as reason:
                    message += f" (report only: {reason})"
            faults.append(self.fault(span.line, span.col + 1, message, repairs=repairs, explains_error=True))
        return faults

    def _functional_add_loss(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        """Keras 3 refuses `add_loss` on a functional model (a bare `NotImplementedError` at the
        call): the loss must be added by a layer of the graph."""
        error = evidence.error
        if error is None or error.type != "NotImplementedError" or error.span is None:
            return []
        faults = []
        for statement in added_losses(index, error.span.line):
            span = index.span_of(statement)
            message = (
                "a loss computed from the model's symbolic tensors is given to the functional model's `add_loss`, "
                "which Keras 3 does not implement; add it from a layer of the graph"
            )
            repairs: tuple[Plan, ...] = ()
            try:
                add_loss_in_layer(index, span.line)
                repairs = (AddLossInLayer(span.line),)
            except Skip as reason:
                message += f" (report only: {reason})"
            faults.append(self.fault(span.line, span.col + 1, message, repairs=repairs, explains_error=True))
        return faults

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if isinstance(plan, AddLossInLayer):
            return add_loss_in_layer(index, plan.line)
        if isinstance(plan, AddLossInGraph):
            return add_loss_in_graph(index, plan.loss)
        if not isinstance(plan, PassAsArgument):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        target = next((f for f in functions(index) if f.name.value == plan.function), None)
        if target is None:
            raise Skip(f"no function `{plan.function}`")
        found = _call_sites(index, target)
        if found is None:
            raise Skip("the function is used other than by direct calls")
        calls: list[cst.Call] = found
        names = plan.names
        existing = {p.name.value for p in [*target.params.params, *target.params.kwonly_params]}
        if set(names) & existing:
            raise Skip("the function already has a parameter of that name")

        class Pass(cst.CSTTransformer):
            def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
                if original is not target:
                    return updated
                params = list(updated.params.params)
                position = next((i for i, p in enumerate(params) if p.default is not None), len(params))
                new = [cst.Param(cst.Name(n)) for n in names]
                if position > 0 or len(params) > 0:
                    params = [p.with_changes(comma=cst.MaybeSentinel.DEFAULT) for p in params]
                params[position:position] = new
                return updated.with_changes(params=updated.params.with_changes(params=params))

            def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
                if original not in calls:
                    return updated
                args = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in updated.args]
                equal = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
                args += [cst.Arg(cst.Name(n), keyword=cst.Name(n), equal=equal) for n in names]
                return updated.with_changes(args=args)

        return index.module.visit(Pass()).code

    EXAMPLES = (
        Example(
            before=(
                "import tensorflow as tf\n"
                "scale = tf.constant(2.0)\n"
                "\n"
                "@tf.function\n"
                "def apply(x, bias=0.0):\n"
                "    return x * scale + bias\n"
                "\n"
                "print(apply(tf.constant(1.0)))\n"
                "scale = tf.constant(3.0)\n"
                "print(apply(tf.constant(1.0), bias=1.0))\n"
            ),
            plan=PassAsArgument("apply", ("scale",)),
            after=(
                "import tensorflow as tf\n"
                "scale = tf.constant(2.0)\n"
                "\n"
                "@tf.function\n"
                "def apply(x, scale, bias=0.0):\n"
                "    return x * scale + bias\n"
                "\n"
                "print(apply(tf.constant(1.0), scale=scale))\n"
                "scale = tf.constant(3.0)\n"
                "print(apply(tf.constant(1.0), bias=1.0, scale=scale))\n"
            ),
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "\n"
                "inputs = tf.keras.Input((8,))\n"
                "h = tf.keras.layers.Dense(4)(inputs)\n"
                "code = tf.keras.layers.Dense(2)(h)\n"
                "outputs = tf.keras.layers.Dense(8)(code)\n"
                "model = tf.keras.Model(inputs, outputs)\n"
                "\n"
                "\n"
                "def loss_fn(y_true, y_pred):\n"
                "    mse = tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)\n"
                "    sparsity = 0.01 * tf.reduce_sum(tf.abs(code), axis=-1)\n"
                "    return mse + sparsity\n"
                "\n"
                "\n"
                "model.compile('adam', loss=loss_fn)\n"
            ),
            plan=AddLossInGraph("loss_fn"),
            after=(
                "import tensorflow as tf\n"
                "\n"
                "\n"
                "class SparsityLayer(tf.keras.layers.Layer):\n"
                "    \"\"\"Adds the terms of `loss_fn` computed from the model's own tensors to its losses.\"\"\"\n"
                "\n"
                "    def call(self, inputs):\n"
                "        code = inputs\n"
                "        sparsity = 0.01 * tf.reduce_sum(tf.abs(code), axis=-1)\n"
                "        self.add_loss(tf.reduce_mean(sparsity))\n"
                "        return inputs\n"
                "\n"
                "\n"
                "inputs = tf.keras.Input((8,))\n"
                "h = tf.keras.layers.Dense(4)(inputs)\n"
                "code = tf.keras.layers.Dense(2)(h)\n"
                "code = SparsityLayer()(code)\n"
                "outputs = tf.keras.layers.Dense(8)(code)\n"
                "model = tf.keras.Model(inputs, outputs)\n"
                "\n"
                "\n"
                "def loss_fn(y_true, y_pred):\n"
                "    mse = tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)\n"
                "    return mse\n"
                "\n"
                "\n"
                "model.compile('adam', loss=loss_fn)\n"
            ),
            note="the term reading the model's tensor moves into the graph; the batch's term stays",
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "\n"
                "inputs = tf.keras.Input((8,))\n"
                "code = tf.keras.layers.Dense(2, activation='relu')(inputs)\n"
                "outputs = tf.keras.layers.Dense(8)(code)\n"
                "model = tf.keras.Model(inputs, outputs)\n"
                "model.add_loss(1e-3 * tf.reduce_mean(tf.abs(code)))\n"
                "model.compile('adam', 'mse')\n"
            ),
            plan=AddLossInLayer(7),
            after=(
                "import tensorflow as tf\n"
                "\n"
                "\n"
                "class AddedLoss(tf.keras.layers.Layer):\n"
                "    \"\"\"Adds the loss the program gave `add_loss`, computed from the model's own tensors.\"\"\"\n"
                "\n"
                "    def call(self, inputs):\n"
                "        code = inputs\n"
                "        self.add_loss(1e-3 * tf.reduce_mean(tf.abs(code)))\n"
                "        return inputs\n"
                "\n"
                "\n"
                "inputs = tf.keras.Input((8,))\n"
                "code = tf.keras.layers.Dense(2, activation='relu')(inputs)\n"
                "code = AddedLoss()(code)\n"
                "outputs = tf.keras.layers.Dense(8)(code)\n"
                "model = tf.keras.Model(inputs, outputs)\n"
                "model.compile('adam', 'mse')\n"
            ),
            note="Keras 3's functional add_loss is not implemented: a layer of the graph adds the loss",
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "\n"
                "\n"
                "def make_loss(code, weight=0.01):\n"
                "    def loss(y_true, y_pred):\n"
                "        return tf.reduce_mean(tf.square(y_true - y_pred)) + weight * tf.reduce_mean(tf.abs(code))\n"
                "\n"
                "    return loss\n"
                "\n"
                "\n"
                "inputs = tf.keras.Input((8,))\n"
                "code = tf.keras.layers.Dense(2)(inputs)\n"
                "model = tf.keras.Model(inputs, tf.keras.layers.Dense(8)(code))\n"
                "model.compile('adam', loss=make_loss(code))\n"
            ),
            plan=AddLossInGraph("loss"),
            after=(
                "import tensorflow as tf\n"
                "\n"
                "\n"
                "class LossLayer(tf.keras.layers.Layer):\n"
                "    \"\"\"Adds the terms of `loss` computed from the model's own tensors to its losses.\"\"\"\n"
                "\n"
                "    def call(self, inputs):\n"
                "        code = inputs\n"
                "        weight = 0.01\n"
                "        self.add_loss(tf.reduce_mean(weight * tf.reduce_mean(tf.abs(code))))\n"
                "        return inputs\n"
                "\n"
                "\n"
                "def make_loss():\n"
                "    def loss(y_true, y_pred):\n"
                "        return tf.reduce_mean(tf.square(y_true - y_pred))\n"
                "\n"
                "    return loss\n"
                "\n"
                "\n"
                "inputs = tf.keras.Input((8,))\n"
                "code = tf.keras.layers.Dense(2)(inputs)\n"
                "code = LossLayer()(code)\n"
                "model = tf.keras.Model(inputs, tf.keras.layers.Dense(8)(code))\n"
                "model.compile('adam', loss=make_loss())\n"
            ),
            note="a loss factory given the model's tensor: the term moves into the graph, with the constant it reads",
        ),
    )
    UNCHANGED = (
        Example(
            before=(
                "import keras\n"
                "inputs = keras.Input((8,))\n"
                "code = keras.layers.Dense(2)(inputs)\n"
                "model = keras.Model(inputs, keras.layers.Dense(8)(inputs))\n"
                "model.add_loss(keras.ops.mean(code))\n"
            ),
            plan=AddLossInLayer(5),
            note="the tensor the loss reads is not on the model's path: a layer applied to it would never run",
        ),
        Example(
            before=(
                "import keras\n"
                "inputs = keras.Input((8,))\n"
                "code = keras.layers.Dense(2)(inputs)\n"
                "model = keras.Model(inputs, keras.layers.Dense(8)(code))\n"
                "def loss_fn(y_true, y_pred):\n"
                "    return keras.ops.mean(keras.ops.abs(code))\n"
                "model.compile('adam', loss=loss_fn)\n"
            ),
            plan=AddLossInGraph("loss_fn"),
            note="the loss has no term reading the batch: nothing would be left for `loss=`",
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "scale = tf.constant(2.0)\n"
                "@tf.function\n"
                "def apply(x):\n"
                "    return x * scale\n"
                "callbacks = [apply]\n"
            ),
            plan=PassAsArgument("apply", ("scale",)),
            note="the function is passed around: its other callers are out of reach",
        ),
    )


def _module_bindings(index: SourceIndex) -> dict[str, list[tuple[int, cst.BaseExpression]]]:
    """Module-scope assignments (also inside loops and ifs at module level), by name."""
    bindings: dict[str, list[tuple[int, cst.BaseExpression]]] = {}
    scope = index.scopes.get(index.module.body[0]) if index.module.body else None
    if scope is None:
        return bindings
    for assignment in scope.assignments:
        target = getattr(assignment, "node", None)
        holder = index.parent(target) if target is not None else None
        statement = index.parent(holder) if isinstance(holder, cst.AssignTarget) else None
        if isinstance(statement, cst.Assign) and isinstance(target, cst.Name):
            bindings.setdefault(assignment.name, []).append((index.range(statement).start.line, statement.value))
    return bindings


def _is_tensor(index: SourceIndex, value: cst.BaseExpression) -> bool:
    if not isinstance(value, cst.Call):
        return False
    names = qualified_names(index, value.func)
    return any(n.startswith("tensorflow.") and not n.endswith("Variable") for n in names)


def _captures(
    index: SourceIndex, symbolic_error: bool, rebound: dict[str, tuple[str, ...]] | None = None
) -> list[tuple[cst.FunctionDef, list[str]]]:
    bindings = _module_bindings(index)
    found = []
    for function in functions(index):
        if tf_function_decorator(index, function) is None or enclosing_class(index, function) is not None:
            continue
        parent = index.parent(function)
        if parent is not None and index.parent(parent) is not None and not isinstance(parent, cst.Module):
            continue  # module-level functions only
        reads = _free_reads(function)
        first_call = min((index.range(c).start.line for c in _direct_calls(index, function)), default=None)
        captured = []
        for name in sorted(reads & set(bindings)):
            values = bindings[name]
            if symbolic_error and any(_is_symbolic_value(index, v) for _, v in values):
                captured.append(name)
            elif any(_is_tensor(index, v) for _, v in values) and first_call is not None and any(
                line > first_call for line, _ in values
            ):
                captured.append(name)
            elif name in (rebound or {}).get(function.name.value, ()):
                captured.append(name)  # the probe saw it rebound after the trace
        if captured:
            found.append((function, captured))
    return found


def _is_symbolic_value(index: SourceIndex, value: cst.BaseExpression) -> bool:
    """`keras.Input(...)` or a layer applied to something: a Keras symbolic tensor."""
    if not isinstance(value, cst.Call):
        return False
    text = index.module.code_for_node(value.func)
    return text.split(".")[-1] == "Input" or isinstance(value.func, cst.Call)


def _free_reads(function: cst.FunctionDef) -> set[str]:
    local = {p.name.value for p in [*function.params.params, *function.params.kwonly_params]}
    reads: set[str] = set()

    class Finder(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            reads.add(node.value)

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)
            return False

        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            if isinstance(node.target, cst.Name):
                local.add(node.target.value)

    function.body.visit(Finder())
    return reads - local


def _direct_calls(index: SourceIndex, function: cst.FunctionDef) -> list[cst.Call]:
    calls = []
    for node in index.positions:
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == function.name.value:
            calls.append(node)
    return calls


def _call_sites(index: SourceIndex, function: cst.FunctionDef) -> list[cst.Call] | None:
    """Direct calls of the function; None when its name is also read otherwise."""
    calls = _direct_calls(index, function)
    called = {id(c.func) for c in calls}
    for node in index.positions:
        if isinstance(node, cst.Name) and node.value == function.name.value and id(node) not in called:
            parent = index.parent(node)
            if parent is function or isinstance(parent, cst.FunctionDef):
                continue
            return None
    return calls
