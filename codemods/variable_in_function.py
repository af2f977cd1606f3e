"""GF303 variable-in-function.

``v = tf.Variable(...)`` inside a plain ``@tf.function`` function. Eagerly each call would make a
new variable; traced, TensorFlow allows variables only on the first trace.

Symptom: ``ValueError: tf.function only supports singleton tf.Variables created on the first
call.`` on a later call (TensorFlow's message names the function and the line, "in user code").

Detection: that error, and a ``tf.function``-decorated function of the file (not a method:
methods are GF301/GF302) whose body assigns ``tf.Variable(...)`` to a name.

Fix: the assignment moves out of the function, just above its definition, so the variable is
created once; the function's reads of the name now reach that variable. This is what the error
asks for ("created outside tf.function"), and it keeps the variable's value across calls, which
is the only behaviour the traced function could have had. An initial value that reads the
function's own parameters or locals cannot move: reported, not rewritten.

The probe's creation stacks find creations anywhere a trace or Keras reaches (a loss, a helper
called from a tf.function, a `Lambda`'s function), with these further repairs:
- a creation (an optimizer, a layer, a variable) that reads nothing of its function moves above
  the function's definition (`hoist-creation`);
- a function wrapped in `Lambda` (directly or as `lambda t: f(t, ...)`) that creates
  `tf.Variable`s becomes a Layer subclass whose variables are weights made in `build`, one layer
  per `Lambda` (`lambda-to-layer`, see `lambda_layer.py`): tf-keras refuses such a Lambda
  ("Variables were created within a Lambda layer"), Keras 3 fails when a tf.function traces it
  again, and in both the variables were never trained;
- a creation whose value reads the plain function's arguments (a size from a tensor's shape)
  runs on the first call only, kept by a holder next to the function (`create-once`, see
  `create_once.py`);
- a tf.function called in a loop that makes new objects for it is traced anew per pass
  (`trace-per-loop`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.create_once import create_once, creation_at, holder_scope, innermost_function
from codemods.creation_sites import SINGLETON, Site, creation_error, faulty_sites, function_at, statement_at
from codemods.lambda_layer import lambda_function, lambda_to_layer, variable_statements
from codemods.layer_created_in_call import constructions_in_call
from codemods.tf_functions import enclosing_class, functions, tf_function_decorator
from graphfix.ftypes import Evidence, Fault, Plan
from graphfix.source import SourceIndex


@dataclass(frozen=True)
class HoistVariables(Plan):
    """The `tf.Variable` assignments of the tf.function `function` move above its definition."""

    function: str
    line: int  # the first such assignment (for the report)

    def describe(self) -> str:
        return f"hoist variables: the `tf.Variable`s of `{self.function}` (line {self.line}) are created once, above it"


@dataclass(frozen=True)
class HoistCreation(Plan):
    """The statement at `line` of `function` (found by the probe making variables there on every
    trace or call: an optimizer, a layer, a variable) moves just above the function's definition,
    so it runs once where the function is defined."""

    function: str
    line: int
    target: str

    def describe(self) -> str:
        return f"hoist creation: `{self.target}` (line {self.line}) is created once, above `{self.function}`"


@dataclass(frozen=True)
class TracePerLoop(Plan):
    """The tf.function `function` is called in a loop whose every pass makes new objects for it
    (a model, an optimizer): the decorator goes, and the loop's pass wraps the plain function
    anew (`<function>_traced = tf.function(<function>)`), so each pass's objects build their
    variables on the first call of their own tf.function."""

    function: str
    line: int  # the loop

    def describe(self) -> str:
        return f"trace per loop: `{self.function}` becomes a new tf.function on each pass of the loop at line {self.line}"


@dataclass(frozen=True)
class LambdaToLayer(Plan):
    """The function `function`, wrapped in `Lambda` and creating `tf.Variable`s on every call,
    becomes a Layer subclass whose variables are weights made once in `build`; each `Lambda` of
    it becomes one of those layers."""

    function: str

    def describe(self) -> str:
        return f"lambda to layer: `{self.function}`, wrapped in `Lambda`, becomes a layer whose variables are weights made in `build`"


@dataclass(frozen=True)
class CreateOnce(Plan):
    """The creation at `line` of the plain function `function` (its value reads the function's
    arguments or locals, so it cannot move out) runs on the first call only: a holder next to
    the function keeps what it made, later calls and traces reuse it."""

    function: str
    line: int

    def describe(self) -> str:
        return f"create once: line {self.line} of `{self.function}` creates on the first call only; later calls reuse it"


class VariableInFunction(FaultRule):
    code = "GF303"
    name = "variable-in-function"
    summary = "tf.Variable created inside a @tf.function function"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        faults, reported = self._declared(evidence, index)
        return faults + self._from_creations(evidence, index, reported)

    def _declared(self, evidence: Evidence, index: SourceIndex) -> tuple[list[Fault], set[str]]:
        """`v = tf.Variable(...)` in a tf.function named by the singleton error (and the names
        of the functions reported)."""
        error = evidence.error
        if error is None or SINGLETON not in error.message:
            return [], set()
        named = set(re.findall(r", in (\w+)", error.message))
        faults = []
        for function, statements in _variable_functions(index):
            if named and function.name.value not in named:
                continue
            span = index.span_of(statements[0])
            names = ", ".join(f"`{_target(s)}`" for s in statements)
            movable = all(_movable(index, function, s) for s in statements)
            message = f"`{function.name.value}` creates {names} on every trace; create it once, outside the function"
            repairs = (HoistVariables(function.name.value, span.line),) if movable else ()
            text = message if movable else message + " (its value reads the function's locals)"
            faults.append(self.fault(span.line, span.col + 1, text, repairs=repairs, explains_error=True))
        return faults, {f.name.value for f, _ in _variable_functions(index) if not named or f.name.value in named}

    def _from_creations(self, evidence: Evidence, index: SourceIndex, reported: set[str]) -> list[Fault]:
        """Faults from the probe's creation stacks: a function that TensorFlow or Keras calls (a
        tf.function, a loss, a Lambda's function) makes variables on every trace or call."""
        explains = creation_error(evidence)
        faults = []
        sites = faulty_sites(evidence, index)
        for site in sites:
            if site.owner_class is not None or site.method is None or site.method in reported:
                continue
            reported.add(site.method)
            faults.append(self._site_fault(index, site, explains))
        claimed = bool(faults) or any(s.owner_class for s in sites) or bool(constructions_in_call(index))
        if explains and not claimed and evidence.error is not None:
            # the error must never stay uncoded: point at the creation, or at the error
            site_line = next((s.line for s in sites), None)
            span = evidence.error.span
            line = site_line or (span.line if span is not None else 1)
            col = span.col + 1 if span is not None and site_line is None else 1
            faults.append(self.fault(
                line, col,
                "variables are created on a later trace of a tf.function (a new optimizer, model or "
                "variable reaching a function that was already traced): create them once, before the "
                "first call, or give each its own tf.function",
                repairs=tuple(TracePerLoop(f, loop) for f, loop in _per_loop(index)),
                explains_error=True,
            ))
        return faults

    def _site_fault(self, index: SourceIndex, site: Site, explains: bool) -> Fault:
        name = site.method or "?"
        what = site.creation.maker or "a variable"
        where = f"`{name}` creates {what}"
        statement = statement_at(index, site.function, site.line) if site.function is not None else None
        target = _created_target(index, statement) if statement is not None else None
        repairs: tuple[Plan, ...] = ()
        if target is not None and site.function is not None and statement is not None:
            where = f"`{name}` creates `{target}` ({what})"
            if _movable(index, site.function, statement):
                repairs = (HoistCreation(name, site.line, target),)
        innermost = site.creation.site.function
        wrapper = lambda_function(index, innermost)
        wrapped = wrapper is not None and index.range(wrapper).start.line <= site.line <= index.range(wrapper).end.line
        if wrapped:  # a Lambda's function: each Lambda needs its own variables, made once
            repairs = (LambdaToLayer(innermost),)
            where = f"`{innermost}` creates {f'`{target}` ({what})' if target else what}"
        how = "on every trace" if site.creation.traced else "on every call"
        message = f"{where} {how} (line {site.line}): create it once, where `{name}` is defined, and reuse it"
        if not repairs and site.creation.traced:  # new objects passed in on each pass of a loop
            repairs = tuple(TracePerLoop(f, loop) for f, loop in _per_loop(index) if f == name)
            if repairs:
                message += ", or trace it anew for each pass of the loop that makes new objects for it"
        if not repairs and not wrapped and _creates_once_able(index, innermost, site.line):
            repairs = (CreateOnce(innermost, site.line),)
            message = (
                f"{where} {how} (line {site.line}, in `{innermost}`): the value reads `{innermost}`'s "
                "arguments, so it cannot move out; create it on the first call only and reuse it"
            )
        if wrapped:
            message = f"{where} on every call of its `Lambda` layers (line {site.line}): untracked, never trained; make it a layer that creates them in `build`"
        elif not repairs:
            message += " (report only: the creation is not a plain assignment that can move)"
        return self.fault(site.line, site.col + 1, message, repairs=repairs, explains_error=explains)

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if isinstance(plan, LambdaToLayer):
            return lambda_to_layer(index, plan.function)
        if isinstance(plan, CreateOnce):
            return create_once(index, plan.function, plan.line)
        if isinstance(plan, TracePerLoop):
            return _trace_per_loop(index, plan)
        if isinstance(plan, HoistCreation):
            return _hoist_creation(index, plan)
        if not isinstance(plan, HoistVariables):
            raise Skip(f"not a {self.code} plan: {type(plan).__name__}")
        found = next(((f, s) for f, s in _variable_functions(index) if f.name.value == plan.function), None)
        if found is None:
            raise Skip(f"no tf.function `{plan.function}` creating variables")
        function, statements = found
        if not all(_movable(index, function, s) for s in statements):
            raise Skip("a variable's initial value reads the function's locals")
        moved = set(statements)
        hoisted = list(statements)

        class Hoist(cst.CSTTransformer):
            def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> Any:
                if original is not function:
                    return updated
                body = [s for s, o in zip(updated.body.body, original.body.body) if o not in moved]  # type: ignore[attr-defined]
                if not body:
                    raise Skip("the function would be empty")
                updated = updated.with_changes(body=updated.body.with_changes(body=body))
                first = hoisted[0].with_changes(leading_lines=[*updated.leading_lines, *hoisted[0].leading_lines])
                return cst.FlattenSentinel([first, *hoisted[1:], updated.with_changes(leading_lines=[])])

        return index.module.visit(Hoist()).code

    EXAMPLES = (
        Example(
            before=(
                "import tensorflow as tf\n"
                "\n"
                "\n"
                "@tf.function\n"
                "def accumulate(x):\n"
                "    total = tf.Variable(0.0)  # running sum\n"
                "    total.assign_add(tf.reduce_sum(x))\n"
                "    return total.read_value()\n"
            ),
            plan=HoistVariables("accumulate", line=6),
            after=(
                "import tensorflow as tf\n"
                "\n"
                "\n"
                "total = tf.Variable(0.0)  # running sum\n"
                "@tf.function\n"
                "def accumulate(x):\n"
                "    total.assign_add(tf.reduce_sum(x))\n"
                "    return total.read_value()\n"
            ),
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "\n"
                "\n"
                "@tf.function\n"
                "def step(model, x):\n"
                "    opt = tf.keras.optimizers.SGD(0.1)\n"
                "    with tf.GradientTape() as tape:\n"
                "        loss = tf.reduce_sum(model(x))\n"
                "    grads = tape.gradient(loss, model.trainable_variables)\n"
                "    opt.apply_gradients(zip(grads, model.trainable_variables))\n"
                "    return loss\n"
            ),
            plan=HoistCreation("step", line=6, target="opt"),
            after=(
                "import tensorflow as tf\n"
                "\n"
                "\n"
                "opt = tf.keras.optimizers.SGD(0.1)\n"
                "@tf.function\n"
                "def step(model, x):\n"
                "    with tf.GradientTape() as tape:\n"
                "        loss = tf.reduce_sum(model(x))\n"
                "    grads = tape.gradient(loss, model.trainable_variables)\n"
                "    opt.apply_gradients(zip(grads, model.trainable_variables))\n"
                "    return loss\n"
            ),
            note="the probe saw the optimizer's variables made at that line on every trace",
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "\n"
                "\n"
                "@tf.function\n"
                "def step(model, opt, x):\n"
                "    with tf.GradientTape() as tape:\n"
                "        loss = tf.reduce_sum(model(x))\n"
                "    opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))\n"
                "\n"
                "\n"
                "for lr in (0.1, 0.01):\n"
                "    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])\n"
                "    opt = tf.keras.optimizers.Adam(lr)\n"
                "    step(model, opt, tf.ones((2, 3)))\n"
            ),
            plan=TracePerLoop("step", line=11),
            after=(
                "import tensorflow as tf\n"
                "\n"
                "\n"
                "def step(model, opt, x):\n"
                "    with tf.GradientTape() as tape:\n"
                "        loss = tf.reduce_sum(model(x))\n"
                "    opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))\n"
                "\n"
                "\n"
                "for lr in (0.1, 0.01):\n"
                "    step_traced = tf.function(step)\n"
                "    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])\n"
                "    opt = tf.keras.optimizers.Adam(lr)\n"
                "    step_traced(model, opt, tf.ones((2, 3)))\n"
            ),
            note="each pass makes a new model and optimizer: each gets its own tf.function",
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "from tensorflow.keras import layers\n"
                "\n"
                "\n"
                "def gain(x, floor=0.1):\n"
                "    g = tf.Variable(tf.ones(x.shape[-1:]), name='g')\n"
                "    return tf.maximum(x * g, floor)\n"
                "\n"
                "\n"
                "inputs = tf.keras.Input((4,))\n"
                "h = layers.Lambda(gain, arguments={'floor': 0.0}, name='gain_1')(inputs)\n"
            ),
            plan=LambdaToLayer("gain"),
            after=(
                "import tensorflow as tf\n"
                "from tensorflow.keras import layers\n"
                "\n"
                "\n"
                "class Gain(layers.Layer):\n"
                "    def __init__(self, floor=0.1, **kwargs):\n"
                "        super().__init__(**kwargs)\n"
                "        self.floor = floor\n"
                "\n"
                "    def build(self, input_shape):\n"
                "        with tf.init_scope():\n"
                "            g_value = tf.convert_to_tensor(tf.ones(input_shape[-1:]))\n"
                "        self.g = self.add_weight(shape=g_value.shape, dtype=g_value.dtype, name='g', initializer=lambda shape, dtype=None: g_value)\n"
                "\n"
                "    def call(self, x):\n"
                "        floor = self.floor\n"
                "        g = self.g\n"
                "        return tf.maximum(x * g, floor)\n"
                "\n"
                "\n"
                "inputs = tf.keras.Input((4,))\n"
                "h = Gain(floor=0.0, name='gain_1')(inputs)\n"
            ),
            note="the probe saw the Lambda's function create a variable on every call",
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "\n"
                "\n"
                "def pairwise(scores, table=None):\n"
                "    if table is None:\n"
                "        table = tf.Variable(tf.zeros([scores.shape[-1]] * 2))\n"
                "    return scores @ table\n"
            ),
            plan=CreateOnce("pairwise", line=6),
            after=(
                "import tensorflow as tf\n"
                "\n"
                "\n"
                "_pairwise_table = None  # created once, on the first call of `pairwise`\n"
                "\n"
                "\n"
                "def pairwise(scores, table=None):\n"
                "    global _pairwise_table\n"
                "    if table is None:\n"
                "        if _pairwise_table is None:\n"
                "            _pairwise_table = tf.Variable(tf.zeros([scores.shape[-1]] * 2))\n"
                "        table = _pairwise_table\n"
                "    return scores @ table\n"
            ),
            note="the size comes from the argument: the variable is made on the first call, then reused",
        ),
    )
    UNCHANGED = (
        Example(
            before=(
                "from tensorflow.keras import backend as K\n"
                "from tensorflow.keras import layers\n"
                "def scale(x):\n"
                "    gain = K.variable(1.0, name='gain')\n"
                "    return x * gain\n"
                "layer = layers.Lambda(scale)\n"
            ),
            plan=LambdaToLayer("scale"),
            note="`K.variable` inside a Lambda's function: reported, not rewritten",
        ),
        Example(
            before=(
                "import keras\n"
                "def scaled(x):\n"
                "    w = keras.Variable(1.0)\n"
                "    return x * w\n"
                "layer = keras.layers.Lambda(scaled)\n"
                "print(scaled(2.0))\n"
            ),
            plan=LambdaToLayer("scaled"),
            note="the function is also called directly: it must stay a function",
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "class Table:\n"
                "    def lookup(self, n):\n"
                "        t = tf.Variable(tf.zeros([n]))\n"
                "        return t\n"
            ),
            plan=CreateOnce("lookup", line=4),
            note="a method: its owner creates it once (GF302), not a module holder",
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "opt = tf.keras.optimizers.Adam()\n"
                "@tf.function\n"
                "def step(x):\n"
                "    return x * 2\n"
                "for i in range(3):\n"
                "    x = tf.ones((2,))\n"
                "    step(x)\n"
                "step(tf.zeros((2,)))\n"
            ),
            plan=TracePerLoop("step", line=6),
            note="`step` is called outside the loop too",
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "@tf.function\n"
                "def step(x, lr):\n"
                "    opt = tf.keras.optimizers.SGD(lr)\n"
                "    return x\n"
            ),
            plan=HoistCreation("step", line=4, target="opt"),
            note="the constructor reads the parameter `lr`",
        ),
        Example(
            before="import tensorflow as tf\n@tf.function\ndef f(x):\n    v = tf.Variable(tf.zeros_like(x))\n    return v + x\n",
            plan=HoistVariables("f", line=4),
            note="the initial value reads the parameter `x`",
        ),
    )


def _creates_once_able(index: SourceIndex, name: str, line: int) -> bool:
    """Line `line` of the plain function `name` is `target = <constructor>(...)`."""
    function = innermost_function(index, name, line)
    if function is None or holder_scope(index, function) is None:
        return False
    statement = creation_at(index, function, line)
    return statement is not None and _created_target(index, statement) is not None


def _created_target(index: SourceIndex, statement: cst.SimpleStatementLine) -> str | None:
    """`name` when the statement is `name = <constructor>(...)`: a class (capitalised, as
    `Adam(...)`, `tf.Variable(...)`, `layers.Dense(...)`) or `K.variable(...)`."""
    if len(statement.body) != 1 or not isinstance(statement.body[0], cst.Assign):
        return None
    assign = statement.body[0]
    if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
        return None
    value = assign.value
    if not isinstance(value, cst.Call) or not isinstance(value.func, (cst.Name, cst.Attribute)):
        return None
    callee = index.module.code_for_node(value.func).split(".")[-1]
    if not (callee[:1].isupper() or callee == "variable"):
        return None
    return assign.targets[0].target.value


def _hoist_creation(index: SourceIndex, plan: HoistCreation) -> str:
    function = next(
        (f for f in functions(index) if f.name.value == plan.function and function_at(index, plan.function, plan.line) is f),
        None,
    )
    if function is None:
        raise Skip(f"no function `{plan.function}` at line {plan.line}")
    statement = statement_at(index, function, plan.line)
    if statement is None or _created_target(index, statement) != plan.target:
        raise Skip(f"line {plan.line} of `{plan.function}` does not create `{plan.target}`")
    if not _movable(index, function, statement):
        raise Skip("the creation reads the function's parameters or locals")
    creation: cst.SimpleStatementLine = statement

    class Hoist(cst.CSTTransformer):
        def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> Any:
            if original is not function:
                return updated
            body = [s for s, o in zip(updated.body.body, original.body.body) if o is not creation]  # type: ignore[attr-defined]
            if not body:
                raise Skip("the function would be empty")
            updated = updated.with_changes(body=updated.body.with_changes(body=body))
            moved = creation.with_changes(leading_lines=[*updated.leading_lines, *creation.leading_lines])
            return cst.FlattenSentinel([moved, updated.with_changes(leading_lines=[])])

    return index.module.visit(Hoist()).code


def _target(statement: cst.SimpleStatementLine) -> str:
    assign = statement.body[0]
    return assign.targets[0].target.value  # type: ignore[attr-defined,union-attr]


def _variable_functions(index: SourceIndex) -> list[tuple[cst.FunctionDef, list[cst.SimpleStatementLine]]]:
    found = []
    for function in functions(index):
        if tf_function_decorator(index, function) is None or enclosing_class(index, function) is not None:
            continue
        statements = variable_statements(index, function)
        if statements:
            found.append((function, statements))
    return found


def _movable(index: SourceIndex, function: cst.FunctionDef, statement: cst.SimpleStatementLine) -> bool:
    """The value reads no parameter or local of the function."""
    local = {p.name.value for p in (*function.params.params, *function.params.kwonly_params)}
    for other in function.body.body:  # type: ignore[attr-defined]
        if isinstance(other, cst.SimpleStatementLine):
            for small in other.body:
                if isinstance(small, cst.Assign):
                    local |= {t.target.value for t in small.targets if isinstance(t.target, cst.Name)}
    value = statement.body[0].value  # type: ignore[attr-defined]
    reads: set[str] = set()

    class Reads(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            reads.add(node.value)

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)
            return False

    value.visit(Reads())
    return not (reads & local)


def _loop_calls(index: SourceIndex, function: cst.FunctionDef) -> tuple[cst.For | cst.While, list[cst.Call]] | None:
    """The loop all calls of the module-level `function` are in, that rebinds (directly in its
    body) a name passed to them; the calls."""
    name = function.name.value
    calls = [n for n in index.positions if isinstance(n, cst.Call) and isinstance(n.func, cst.Name) and n.func.value == name]
    loops: set[cst.CSTNode] = set()
    for call in calls:
        passed = {a.value.value for a in call.args if isinstance(a.value, cst.Name)}
        loop: cst.For | cst.While | None = None
        current = index.parent(call)
        while current is not None:
            if isinstance(current, (cst.For, cst.While)) and passed & _rebound(current):
                loop = current  # the outermost such loop: the innermost may only feed batches
            current = index.parent(current)
        if loop is None:
            return None
        loops.add(loop)
    if len(loops) != 1:
        return None
    only = loops.pop()
    assert isinstance(only, (cst.For, cst.While))
    return only, calls


def _rebound(loop: cst.For | cst.While) -> set[str]:
    names: set[str] = set()
    for statement in loop.body.body if isinstance(loop.body, cst.IndentedBlock) else ():
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and isinstance(small.value, cst.Call):
                    names |= {t.target.value for t in small.targets if isinstance(t.target, cst.Name)}
    return names


def _per_loop(index: SourceIndex) -> list[tuple[str, int]]:
    found = []
    for function in functions(index):
        if tf_function_decorator(index, function) is None or not isinstance(index.parent(function), cst.Module):
            continue
        located = _loop_calls(index, function)
        if located is not None:
            found.append((function.name.value, index.range(located[0]).start.line))
    return found


def _trace_per_loop(index: SourceIndex, plan: TracePerLoop) -> str:
    function = next((f for f in functions(index) if f.name.value == plan.function and isinstance(index.parent(f), cst.Module)), None)
    decorator = tf_function_decorator(index, function) if function is not None else None
    located = _loop_calls(index, function) if function is not None else None
    if function is None or decorator is None or located is None or index.range(located[0]).start.line != plan.line:
        raise Skip(f"no tf.function `{plan.function}` called in a loop at line {plan.line}")
    loop, calls = located
    if not isinstance(loop.body, cst.IndentedBlock):
        raise Skip("a one-line loop")
    expression = decorator.decorator
    if isinstance(expression, cst.Call):  # @tf.function(jit_compile=True): the same arguments
        wrapper = expression.with_changes(args=[cst.Arg(cst.Name(plan.function)), *expression.args])
    else:
        wrapper = cst.Call(func=expression, args=[cst.Arg(cst.Name(plan.function))])
    traced = f"{plan.function}_traced"
    if any(isinstance(n, cst.Name) and n.value == traced for n in index.positions):
        raise Skip(f"`{traced}` is taken")
    wrap = cst.parse_statement(f"{traced} = {index.module.code_for_node(wrapper)}")
    targets = {id(c.func) for c in calls}

    class Rewrite(cst.CSTTransformer):
        def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
            return cst.Name(traced) if id(original) in targets else updated

        def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
            if original is not function:
                return updated
            return updated.with_changes(decorators=[d for d, o in zip(updated.decorators, original.decorators) if o is not decorator])

        def leave_For(self, original: cst.For, updated: cst.For) -> cst.For:
            return self._wrap(original, updated)  # type: ignore[return-value]

        def leave_While(self, original: cst.While, updated: cst.While) -> cst.While:
            return self._wrap(original, updated)  # type: ignore[return-value]

        def _wrap(self, original: cst.For | cst.While, updated: cst.For | cst.While) -> cst.For | cst.While:
            if original is not loop:
                return updated
            body = updated.body
            assert isinstance(body, cst.IndentedBlock)
            return updated.with_changes(body=body.with_changes(body=[wrap, *body.body]))

    return index.module.visit(Rewrite()).code
