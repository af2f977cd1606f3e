"""GF302 layer-created-in-call.

A layer, ``tf.Variable`` or ``add_weight`` constructed inside ``call`` of a Layer or Model
subclass: every call makes new, randomly initialised weights.

Symptom: eagerly, ``m(x) == m(x)`` is False and nothing trains (the new weights are not tracked);
in ``fit`` (a traced function) ``ValueError: tf.function only supports singleton tf.Variables
created on the first call``.

Detection: ``call`` of a Keras subclass in the file constructs a Keras layer or a variable, and
the probe saw that class being called (or the program failed with the singleton error).

Fix: hoist each construction into ``__init__`` as an attribute (named after the variable it was
bound to, or the layer kind: ``self.dense``, ``self.conv2d``; unique within the class), created
after everything ``__init__`` already sets, so constructor arguments that read ``self.<attr>``
keep working; ``call`` uses the attribute. When ``__init__`` is missing, one is added that
forwards its keyword arguments to the base class. What ``call`` computes is unchanged except that
the weights are now created once and tracked, which is what makes them trainable and savable.

Layers constructed in a loop of ``call`` (``for width in self.widths: x = Dense(width)(x)``)
become a list made by the same loop in ``__init__``, which the loop in ``call`` walks
(``loop_layers.py``).

A constructor that needs the input's shape (``Dense(x.shape[-1])``, ``x`` being ``call``'s
input) cannot run in ``__init__``: that is ``build``'s job. When that is all a constructor reads
of ``call``'s inputs and locals, the constructions are hoisted into ``build`` instead (added when
missing, as ``build(self, input_shape)``), with ``x.shape[i]`` read as ``input_shape[i]``: Keras
calls ``build`` once, with the input's shape, before the first ``call``. A constructor that
reads anything else of ``call`` (an intermediate result, the input's values) is reported, not
rewritten.

The probe also finds creations in methods TensorFlow or Keras call back on other classes of the
file: a metric's ``update_state``, a ``Loss``'s ``call``, a ``@tf.function`` method of a trainer
making its optimizer. The same hoist makes them attributes created once in ``__init__`` (as the
plain constructions they were: such classes have no ``add_weight`` of a layer's kind).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.creation_sites import ONCE, creation_error, faulty_sites
from codemods.loop_layers import layers_per_loop
from codemods.tf_functions import (
    calls_in,
    creates_layer,
    creates_optimizer,
    creates_variable,
    enclosing_class,
    functions,
    inside,
    is_keras_subclass,
    method,
    qualified_names,
)
from graphfix.ftypes import Evidence, Fault, Plan
from graphfix.source import SourceIndex

SINGLETON = "singleton tf.Variables"


@dataclass(frozen=True)
class HoistToInit(Plan):
    """What `class_name.call` constructs becomes attributes created in `__init__`."""

    class_name: str

    def describe(self) -> str:
        return f"hoist to init: what `{self.class_name}.call` constructs is created once in `__init__`"


@dataclass(frozen=True)
class HoistFromMethod(Plan):
    """What the helper `class_name.method` (called from `call`) constructs becomes attributes
    created once in `__init__`."""

    class_name: str
    method: str

    def describe(self) -> str:
        return f"hoist from method: what `{self.class_name}.{self.method}` constructs is created once in `__init__`"


@dataclass(frozen=True)
class LayersPerLoop(Plan):
    """The layers `class_name.call` constructs in a loop become lists made by the same loop in
    `__init__`; the loop in `call` walks them."""

    class_name: str

    def describe(self) -> str:
        return f"layers per loop: the layers `{self.class_name}.call` makes in a loop are a list made once in `__init__`"


@dataclass(frozen=True)
class HoistToBuild(Plan):
    """What `class_name.call` constructs becomes attributes created in `build`, reading the
    input's shape from `build`'s argument."""

    class_name: str

    def describe(self) -> str:
        return f"hoist to build: what `{self.class_name}.call` constructs is created once in `build`"


@dataclass(frozen=True)
class OneLayerPerCall(Plan):
    """`self.<attr> = lambda x: <Layer>(...)(x)` in `__init__` of `class_name` builds a new layer
    on every call: it becomes a factory `<attr> = lambda: <Layer>(...)` making one layer per call
    site, `self.<attr>_1`, `self.<attr>_2`, ... in `__init__`; each call site uses its own."""

    class_name: str
    attr: str

    def describe(self) -> str:
        return f"one layer per call: `{self.class_name}.{self.attr}` becomes one layer created in `__init__` for each of its call sites"


class LayerCreatedInCall(FaultRule):
    code = "GF302"
    name = "layer-created-in-call"
    summary = "a layer or variable constructed inside call (new weights every call)"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        failed = evidence.error is not None and SINGLETON in evidence.error.message
        faults = []
        for cls, call, made in _constructions(index):
            name = cls.name.value
            if name not in evidence.user_classes and not failed:
                continue
            first = made[0]
            span = index.span_of(first)
            kinds = ", ".join(sorted({index.module.code_for_node(c.func).split(".")[-1] for c in made}))
            message = f"`{name}.call` constructs {kinds} on every call: new, untracked weights each time"
            created, tracked = evidence.created_in_call.get(name), evidence.tracked_after_call.get(name)
            if created is not None and tracked is not None and created > tracked:
                message += f" (the probe saw {created} variables made in one call, {tracked} tracked)"
            if name in evidence.disagreeing:
                message += "; two calls on the same input gave different outputs"
            repairs: tuple[Plan, ...] = ()
            if _loop_plan(index, name):  # one hoisted layer would be shared by every pass of the loop
                repairs = (LayersPerLoop(name),)
                message += " (in a loop: make the loop's layers once, as a list, in `__init__`)"
            elif all(_hoistable(index, call, c) for c in made):
                repairs = (HoistToInit(name),)
            elif all(_hoistable(index, call, c, shape_of=_input_name(call), derived=_derived(index, call)) for c in made):
                repairs = (HoistToBuild(name),)
                message += " (a constructor reads the input's shape: create it in build)"
            else:
                message += " (a constructor reads call's inputs: create it in build)"
            faults.append(self.fault(span.line, span.col + 1, message, repairs=repairs, explains_error=failed))
        reported = {cls.name.value for cls, _, _ in _constructions(index)}
        return faults + self._from_creations(evidence, index, reported)

    def _from_creations(self, evidence: Evidence, index: SourceIndex, reported: set[str]) -> list[Fault]:
        """Creations the probe saw in a method of a Keras subclass other than `__init__` and
        `build`, wherever the construction itself is (a helper method, a lambda attribute)."""
        explains = creation_error(evidence)
        faults = []
        seen: set[tuple[str, str]] = set()
        for site in faulty_sites(evidence, index):
            if site.owner_class is None or site.method is None or site.owner_class in reported:
                continue
            if (site.owner_class, site.method) in seen:
                continue
            seen.add((site.owner_class, site.method))
            name = f"{site.owner_class}.{site.method}"
            what = site.creation.maker or "variables"
            how = "on every trace" if site.creation.traced else "on every call"
            repairs: tuple[Plan, ...] = ()
            helper = _method_constructions(index, site.owner_class, site.method)
            if helper is not None and all(_hoistable(index, helper[1], c) for c in helper[2]):
                repairs = (HoistFromMethod(site.owner_class, site.method),)
            factory = _factory_at(index, site.owner_class, site.line)
            if not repairs and factory is not None:
                repairs = (OneLayerPerCall(site.owner_class, factory),)
            message = f"`{name}` creates {what} {how} (line {site.line}): new, untracked weights each time"
            if not repairs:
                message += "; create them once in `__init__` or `build` (report only)"
            faults.append(self.fault(site.line, site.col + 1, message, repairs=repairs, explains_error=explains))
        return faults

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if isinstance(plan, LayersPerLoop):
            return layers_per_loop(index, plan.class_name)
        if isinstance(plan, OneLayerPerCall):
            return _one_layer_per_call(index, plan)
        if isinstance(plan, HoistFromMethod):
            found = _method_constructions(index, plan.class_name, plan.method)
            if found is None:
                raise Skip(f"no construction in `{plan.class_name}.{plan.method}`")
            cls, helper, made = found
            if not all(_hoistable(index, helper, c) for c in made):
                raise Skip("a constructor reads the method's parameters or locals")
            return _hoist(index, cls, helper, made, "__init__")
        if not isinstance(plan, (HoistToInit, HoistToBuild)):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        for cls, call, made in _constructions(index):
            if cls.name.value != plan.class_name:
                continue
            if isinstance(plan, HoistToInit):
                if not all(_hoistable(index, call, c) for c in made):
                    raise Skip("a constructor reads call's inputs or locals")
                return _hoist(index, cls, call, made, "__init__")
            if not all(_hoistable(index, call, c, shape_of=_input_name(call), derived=_derived(index, call)) for c in made):
                raise Skip("a constructor reads call's inputs or locals other than the input's shape")
            return _hoist(index, cls, call, made, "build")
        raise Skip(f"no construction in `{plan.class_name}.call`")

    EXAMPLES = (
        Example(
            before=(
                'import tensorflow as tf\n'
                '\n'
                '\n'
                'class Tower(tf.keras.layers.Layer):\n'
                '    def __init__(self, depth=2):\n'
                '        super().__init__()\n'
                '        self.depth = depth\n'
                '\n'
                '    def call(self, x):\n'
                '        for i in range(self.depth):\n'
                '            x = tf.keras.layers.Dense(4, name=f"block_{i}")(x) + 0.1 * i\n'
                '        return x\n'
            ),
            plan=LayersPerLoop("Tower"),
            after=(
                'import tensorflow as tf\n'
                '\n'
                '\n'
                'class Tower(tf.keras.layers.Layer):\n'
                '    def __init__(self, depth=2):\n'
                '        super().__init__()\n'
                '        self.depth = depth\n'
                '        self.dense_layers = [tf.keras.layers.Dense(4, name=f"block_{i}") for i in range(self.depth)]\n'
                '\n'
                '    def call(self, x):\n'
                '        for i, dense in zip(range(self.depth), self.dense_layers):\n'
                '            x = dense(x) + 0.1 * i\n'
                '        return x\n'
            ),
            note="the loop variable is read besides the constructor: the loop walks both",
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "\n"
                "\n"
                "class Trainer:\n"
                "    def __init__(self, model):\n"
                "        self.model = model\n"
                "\n"
                "    @tf.function\n"
                "    def step(self, x):\n"
                "        opt = tf.keras.optimizers.SGD(0.1)\n"
                "        with tf.GradientTape() as tape:\n"
                "            loss = tf.reduce_sum(self.model(x))\n"
                "        grads = tape.gradient(loss, self.model.trainable_variables)\n"
                "        opt.apply_gradients(zip(grads, self.model.trainable_variables))\n"
                "        return loss\n"
            ),
            plan=HoistFromMethod("Trainer", "step"),
            after=(
                "import tensorflow as tf\n"
                "\n"
                "\n"
                "class Trainer:\n"
                "    def __init__(self, model):\n"
                "        self.model = model\n"
                "        self.opt = tf.keras.optimizers.SGD(0.1)\n"
                "\n"
                "    @tf.function\n"
                "    def step(self, x):\n"
                "        opt = self.opt\n"
                "        with tf.GradientTape() as tape:\n"
                "            loss = tf.reduce_sum(self.model(x))\n"
                "        grads = tape.gradient(loss, self.model.trainable_variables)\n"
                "        opt.apply_gradients(zip(grads, self.model.trainable_variables))\n"
                "        return loss\n"
            ),
            note="a tf.function method of a plain class (the probe saw it make an optimizer on every trace): its object makes it once",
        ),
        Example(
            before=(
                "import keras\n"
                "class Head(keras.layers.Layer):\n"
                "    def __init__(self, units, **kwargs):\n"
                "        super().__init__(**kwargs)\n"
                "        self.units = units\n"
                "\n"
                "    def call(self, x):\n"
                "        h = keras.layers.Dense(self.units, activation='relu')(x)\n"
                "        proj = keras.layers.Dense(1)\n"
                "        return proj(h)\n"
            ),
            plan=HoistToInit("Head"),
            after=(
                "import keras\n"
                "class Head(keras.layers.Layer):\n"
                "    def __init__(self, units, **kwargs):\n"
                "        super().__init__(**kwargs)\n"
                "        self.units = units\n"
                "        self.dense = keras.layers.Dense(self.units, activation='relu')\n"
                "        self.proj = keras.layers.Dense(1)\n"
                "\n"
                "    def call(self, x):\n"
                "        h = self.dense(x)\n"
                "        proj = self.proj\n"
                "        return proj(h)\n"
            ),
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "class Scale(tf.keras.layers.Layer):\n"
                "    def call(self, x):\n"
                "        w = tf.Variable(1.0)\n"
                "        return x * w\n"
            ),
            plan=HoistToInit("Scale"),
            after=(
                "import tensorflow as tf\n"
                "class Scale(tf.keras.layers.Layer):\n"
                "    def __init__(self, **kwargs):\n"
                "        super().__init__(**kwargs)\n"
                "        w_value = tf.convert_to_tensor(1.0)\n"
                "        self.w = self.add_weight(shape=w_value.shape, dtype=w_value.dtype, initializer=lambda shape, dtype=None: w_value)\n"
                "\n"
                "    def call(self, x):\n"
                "        w = self.w\n"
                "        return x * w\n"
            ),
            note="a `tf.Variable` kept on a layer becomes its weight (Keras 3 would not track it)",
        ),
        Example(
            before=(
                "import keras\n"
                "class Auto(keras.layers.Layer):\n"
                "    def call(self, x):\n"
                "        return keras.layers.Dense(x.shape[-1])(x)\n"
            ),
            plan=HoistToBuild("Auto"),
            after=(
                "import keras\n"
                "class Auto(keras.layers.Layer):\n"
                "    def build(self, input_shape):\n"
                "        self.dense = keras.layers.Dense(input_shape[-1])\n"
                "\n"
                "    def call(self, x):\n"
                "        return self.dense(x)\n"
            ),
        ),
        Example(
            before=(
                "import keras\n"
                "class Gate(keras.layers.Layer):\n"
                "    def __init__(self, **kwargs):\n"
                "        super().__init__(**kwargs)\n"
                "\n"
                "    def build(self, shape):\n"
                "        self.bias = self.add_weight(shape=(shape[-1],), initializer='zeros')\n"
                "\n"
                "    def call(self, inputs, training=None):\n"
                "        w = self.add_weight(shape=(inputs.shape[-1], 1))\n"
                "        return keras.ops.matmul(inputs, w) + self.bias\n"
            ),
            plan=HoistToBuild("Gate"),
            after=(
                "import keras\n"
                "class Gate(keras.layers.Layer):\n"
                "    def __init__(self, **kwargs):\n"
                "        super().__init__(**kwargs)\n"
                "\n"
                "    def build(self, shape):\n"
                "        self.bias = self.add_weight(shape=(shape[-1],), initializer='zeros')\n"
                "        self.w = self.add_weight(shape=(shape[-1], 1))\n"
                "\n"
                "    def call(self, inputs, training=None):\n"
                "        w = self.w\n"
                "        return keras.ops.matmul(inputs, w) + self.bias\n"
            ),
            note="an existing build: the constructions join it, reading its own shape argument",
        ),
        Example(
            before=(
                "import keras\n"
                "class Squeeze(keras.layers.Layer):\n"
                "    def call(self, x):\n"
                "        channels = x.shape.as_list()[-1]\n"
                "        hidden = channels // 4\n"
                "        s = keras.layers.Dense(hidden, name='reduce')(x)\n"
                "        return x * keras.layers.Dense(channels)(s)\n"
            ),
            plan=HoistToBuild("Squeeze"),
            after=(
                "import keras\n"
                "class Squeeze(keras.layers.Layer):\n"
                "    def build(self, input_shape):\n"
                "        channels = list(input_shape)[-1]\n"
                "        hidden = channels // 4\n"
                "        self.reduce = keras.layers.Dense(hidden, name='reduce')\n"
                "        self.dense = keras.layers.Dense(channels)\n"
                "\n"
                "    def call(self, x):\n"
                "        channels = x.shape.as_list()[-1]\n"
                "        hidden = channels // 4\n"
                "        s = self.reduce(x)\n"
                "        return x * self.dense(s)\n"
            ),
            note="locals computed from the input's shape alone are computed in build too",
        ),
        Example(
            before=(
                "import keras\n"
                "class Stack(keras.layers.Layer):\n"
                "    def __init__(self, units):\n"
                "        super().__init__()\n"
                "        self.fc = lambda t: keras.layers.Dense(units)(t)\n"
                "\n"
                "    def call(self, x):\n"
                "        return self.fc(self.fc(x))\n"
            ),
            plan=OneLayerPerCall("Stack", "fc"),
            after=(
                "import keras\n"
                "class Stack(keras.layers.Layer):\n"
                "    def __init__(self, units):\n"
                "        super().__init__()\n"
                "        fc = lambda: keras.layers.Dense(units)\n"
                "        self.fc_1 = fc()\n"
                "        self.fc_2 = fc()\n"
                "\n"
                "    def call(self, x):\n"
                "        return self.fc_2(self.fc_1(x))\n"
            ),
            note="the probe saw the lambda, called from `call`, make a layer on every call: one per call site",
        ),
        Example(
            before=(
                "import keras\n"
                "class Tower(keras.layers.Layer):\n"
                "    def branch(self, x):\n"
                "        return keras.layers.Dense(4)(x)\n"
                "\n"
                "    def call(self, x):\n"
                "        return self.branch(x)\n"
            ),
            plan=HoistFromMethod("Tower", "branch"),
            after=(
                "import keras\n"
                "class Tower(keras.layers.Layer):\n"
                "    def __init__(self, **kwargs):\n"
                "        super().__init__(**kwargs)\n"
                "        self.dense = keras.layers.Dense(4)\n"
                "\n"
                "    def branch(self, x):\n"
                "        return self.dense(x)\n"
                "\n"
                "    def call(self, x):\n"
                "        return self.branch(x)\n"
            ),
            note="the probe saw `branch`, called from `call`, create the layer on every call",
        ),
    )
    UNCHANGED = (
        Example(
            before=(
                'import tensorflow as tf\n'
                '\n'
                '\n'
                'class Mixer(tf.keras.layers.Layer):\n'
                '    def __init__(self):\n'
                '        super().__init__()\n'
                '\n'
                '    def call(self, x):\n'
                '        for width in x.shape[1:]:\n'
                '            x = tf.keras.layers.Dense(width)(x)\n'
                '        return x\n'
            ),
            plan=LayersPerLoop("Mixer"),
            note="the loop walks the input's shape: the layers cannot be made in `__init__`",
        ),
        Example(
            before=(
                "import keras\n"
                "class Auto(keras.layers.Layer):\n"
                "    def call(self, x):\n"
                "        return keras.layers.Dense(x.shape[-1])(x)\n"
            ),
            plan=HoistToInit("Auto"),
            note="the width comes from the input: that belongs in build",
        ),
        Example(
            before=(
                "import keras\n"
                "class Wide(keras.layers.Layer):\n"
                "    def call(self, x):\n"
                "        h = keras.layers.Dense(8)(x)\n"
                "        return keras.layers.Dense(h.shape[-1])(h)\n"
            ),
            plan=HoistToBuild("Wide"),
            note="a constructor reads an intermediate result's shape: build only knows the input's",
        ),
        Example(
            before=(
                "import keras\n"
                "class Flat(keras.layers.Layer):\n"
                "    def call(self, x):\n"
                "        return keras.layers.Dense(x.shape.as_list()[-1])(x)\n"
            ),
            plan=HoistToBuild("Flat"),
            note="only `x.shape[i]` maps to build's shape argument (a tuple in Keras 3, not a TensorShape)",
        ),
        Example(
            before=(
                "import keras\n"
                "class Deep(keras.layers.Layer):\n"
                "    def __init__(self):\n"
                "        super().__init__()\n"
                "        self.fc = lambda t: keras.layers.Dense(4)(t)\n"
                "\n"
                "    def call(self, x):\n"
                "        for _ in range(3):\n"
                "            x = self.fc(x)\n"
                "        return x\n"
            ),
            plan=OneLayerPerCall("Deep", "fc"),
            note="called in a loop: one layer per call site would share weights the program meant apart",
        ),
    )


def constructions_in_call(index: SourceIndex) -> list[str]:
    """The Keras subclasses of the file whose `call` constructs a layer or a variable."""
    return [cls.name.value for cls, _, _ in _constructions(index)]


def _hoist(index: SourceIndex, cls: cst.ClassDef, call: cst.FunctionDef, made: list[cst.Call], into: str) -> str:
    """Each construction becomes `self.<attr>` in `call`, created at the end of `into`
    (`__init__` or `build`, added when the class has none)."""
    host = method(cls, into)
    shape_name = "input_shape"
    if into == "build" and host is not None:
        params = host.params.params
        if len(params) != 2 or host.params.star_arg != cst.MaybeSentinel.DEFAULT or host.params.kwonly_params:
            raise Skip("`build` does not take exactly the input shape")
        shape_name = params[1].name.value
        if _returns(host):
            raise Skip("`build` returns early: a construction at its end might not run")
    input_name = _input_name(call) if into == "build" else None
    prelude = _prelude(index, call, made, host, shape_name) if input_name else []
    taken = _attributes(cls)
    replacements: dict[cst.CSTNode, cst.CSTNode] = {}
    assignments: list[cst.BaseStatement] = []
    for construction in made:
        attr = _unique(_preferred_name(index, construction), taken)
        taken.add(attr)
        replacements[construction] = cst.parse_expression(f"self.{attr}")
        created = construction.visit(ShapeToArgument(input_name, shape_name)) if input_name else construction
        assert isinstance(created, cst.Call)
        as_weight = weight_statements(index, created, attr, taken, construction) if is_keras_subclass(index, cls) else []
        assignments.extend(as_weight or [cst.parse_statement(f"self.{attr} = {index.module.code_for_node(created)}")])
    signature = "__init__(self, **kwargs)" if into == "__init__" else f"build(self, {shape_name})"
    preamble = "    super().__init__(**kwargs)\n" if into == "__init__" else ""

    class Hoist(cst.CSTTransformer):
        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
            return replacements.get(original, updated)  # type: ignore[return-value]

        def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> Any:
            if host is not None and original is host:
                body = updated.body
                return updated.with_changes(body=body.with_changes(body=[*body.body, *prelude, *assignments]))
            if host is None and original is call:
                created = cst.parse_statement(
                    f"def {signature}:\n"
                    + preamble
                    + "".join(f"    {cst.Module([]).code_for_node(a).strip()}\n" for a in [*prelude, *assignments])
                )
                leading = updated.leading_lines
                return cst.FlattenSentinel([
                    created.with_changes(leading_lines=leading),
                    updated.with_changes(leading_lines=[cst.EmptyLine(indent=False)]),
                ])
            return updated

    return index.module.visit(Hoist()).code


_VARIABLE_KEYWORDS = {"initial_value", "trainable", "name", "dtype"}


def weight_statements(
    index: SourceIndex, created: cst.Call, attr: str, taken: set[str], original: cst.Call | None = None, lift: bool = False
) -> list[cst.BaseStatement]:
    """`tf.Variable(value, name=..., trainable=..., dtype=...)` as the layer's own weight:
    `<local> = tf.convert_to_tensor(value, dtype=...)` then `self.<attr> = self.add_weight(...)`
    with that shape, dtype and value (Keras 3 does not track a `tf.Variable` kept on a layer, so
    it would be neither trained nor saved). Empty for anything else (another keyword, `add_weight`).
    `original`: the construction in the file, when `created` is a rewritten copy of it. `lift`:
    the value is computed under `init_scope` (eagerly), for a `build` that may first run while a
    tf.function is traced (the weight is made outside that graph and could not read its tensors)."""
    func = index.module.code_for_node(created.func)
    if not func.endswith(".Variable") or "tensorflow.Variable" not in qualified_names(index, (original or created).func):
        return []
    module = func[: -len(".Variable")]
    keywords = {a.keyword.value: index.module.code_for_node(a.value) for a in created.args if a.keyword is not None}
    positional = [index.module.code_for_node(a.value) for a in created.args if a.keyword is None and not a.star]
    if set(keywords) - _VARIABLE_KEYWORDS or len(positional) > 1 or any(a.star for a in created.args):
        return []
    value = positional[0] if positional else keywords.get("initial_value")
    if value is None:
        return []
    local = _unique(f"{attr}_value", taken)
    taken.add(local)
    dtype = f", dtype={keywords['dtype']}" if "dtype" in keywords else ""
    extra = "".join(f", {k}={keywords[k]}" for k in ("name", "trainable") if k in keywords)
    computed = f"{local} = {module}.convert_to_tensor({value}{dtype})"
    if lift:
        computed = f"with {module}.init_scope():\n    {computed}\n"
    return [
        cst.parse_statement(computed),
        cst.parse_statement(
            f"self.{attr} = self.add_weight(shape={local}.shape, dtype={local}.dtype{extra}, "
            f"initializer=lambda shape, dtype=None: {local})"
        ),
    ]


class ShapeToArgument(cst.CSTTransformer):
    """`<input>.shape[i]` -> `<shape argument>[i]`."""

    def __init__(self, input_name: str, shape_name: str) -> None:
        self.input_name = input_name
        self.shape_name = shape_name

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        if _is_shape_of(original, self.input_name):
            return cst.Name(self.shape_name)
        return updated

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        # `x.get_shape()` -> the shape argument; `<shape>.as_list()` -> `list(<shape>)`
        if _is_shape_of(original, self.input_name):
            return cst.Name(self.shape_name)
        func = updated.func
        if isinstance(func, cst.Attribute) and func.attr.value == "as_list" and not updated.args:
            if isinstance(func.value, cst.Name) and func.value.value == self.shape_name:
                return cst.parse_expression(f"list({self.shape_name})")
        return updated


def _is_shape_of(node: cst.CSTNode, name: str | None) -> bool:
    """`<name>.shape` or `<name>.get_shape()`."""
    if isinstance(node, cst.Call) and not node.args:
        node = node.func
        attr = "get_shape"
    else:
        attr = "shape"
    return (
        name is not None
        and isinstance(node, cst.Attribute)
        and isinstance(node.value, cst.Name)
        and node.value.value == name
        and node.attr.value == attr
    )


def _derived(index: SourceIndex, call: cst.FunctionDef) -> dict[str, cst.SimpleStatementLine]:
    """The locals of `call` computed, by a statement directly in its body bound once, from the
    input's shape only (with `self`, literals, names from outside `call` and other such locals):
    `h, w, c = x.get_shape().as_list()[1:]`, `heads = c // 8`. Build can compute them too."""
    input_name = _input_name(call)
    if input_name is None or not isinstance(call.body, cst.IndentedBlock):
        return {}
    scope = index.scope_of(call.body.body[0]) if call.body.body else None
    if scope is None or len(scope[input_name]) != 1:
        return {}
    local = {name for name in scope.assignments._assignments} | {p.name.value for p in call.params.params}  # noqa: SLF001
    derived: dict[str, cst.SimpleStatementLine] = {}
    for statement in call.body.body:
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        assign = statement.body[0]
        if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
            continue
        target = assign.targets[0].target
        elements = target.elements if isinstance(target, cst.Tuple) else [cst.Element(target)]
        names = [e.value.value for e in elements if isinstance(e.value, cst.Name)]
        if len(names) != len(elements) or any(len(scope[n]) != 1 for n in names if n != "_"):
            continue
        reads, shaped = shape_reads(assign.value, input_name)
        if (shaped or reads & set(derived)) and not (reads & local - set(derived) - {"self"}):
            derived.update(dict.fromkeys(names, statement))
    return derived


def shape_reads(value: cst.BaseExpression, input_name: str) -> tuple[set[str], bool]:
    """The names `value` reads, its input's shape aside, and whether it reads that shape."""
    reads: set[str] = set()
    shaped = False

    class Reads(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            reads.add(node.value)

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            nonlocal shaped
            if _is_shape_of(node, input_name):
                shaped = True
                return False
            node.value.visit(self)
            return False

        def visit_Call(self, node: cst.Call) -> bool:
            nonlocal shaped
            if _is_shape_of(node, input_name):
                shaped = True
                return False
            return True

        def visit_Arg(self, node: cst.Arg) -> bool:
            node.value.visit(self)
            return False

    value.visit(Reads())
    return reads, shaped


def _prelude(
    index: SourceIndex, call: cst.FunctionDef, made: list[cst.Call], host: cst.FunctionDef | None, shape_name: str
) -> list[cst.BaseStatement]:
    """The statements of `call` computing, from the input's shape, the locals the constructions
    read, rewritten to read `build`'s shape argument (they stay in `call`, which reads them too)."""
    derived = _derived(index, call)
    input_name = _input_name(call)
    if not derived or input_name is None:
        return []
    needed: set[str] = set()
    for construction in made:
        for arg in construction.args:
            needed |= shape_reads(arg.value, input_name)[0]
    chosen: list[cst.SimpleStatementLine] = []
    for statement in reversed(list(dict.fromkeys(derived.values()))):
        bound = {n for n, s in derived.items() if s is statement}
        if bound & needed:
            chosen.insert(0, statement)
            needed |= shape_reads(statement.body[0].value, input_name)[0]  # type: ignore[attr-defined]
    if host is not None:
        taken = _attributes_and_locals(host)
        if any(n in taken for s in chosen for n, t in derived.items() if t is s):
            raise Skip("`build` already binds a name the shape computation needs")
    mapper = ShapeToArgument(input_name, shape_name)
    rewritten = [s.visit(mapper) for s in chosen]
    return [s.with_changes(leading_lines=[]) for s in rewritten if isinstance(s, cst.SimpleStatementLine)]


def _attributes_and_locals(function: cst.FunctionDef) -> set[str]:
    names = {p.name.value for p in function.params.params}

    class Finder(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            names.add(node.value)

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)  # `self.x` binds no local `x`
            return False

    function.body.visit(Finder())
    return names


def _input_name(call: cst.FunctionDef) -> str | None:
    """The parameter of `call` that receives the layer's input (the one `build` gets the shape of)."""
    params = call.params.params
    if len(params) < 2 or params[0].name.value != "self":
        return None
    return params[1].name.value


def _returns(function: cst.FunctionDef) -> bool:
    found = False

    class Finder(cst.CSTVisitor):
        def visit_Return(self, node: cst.Return) -> None:
            nonlocal found
            found = True

        def visit_FunctionDef(self, inner: cst.FunctionDef) -> bool:
            return inner is function

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

    function.visit(Finder())
    return found


def _method_constructions(
    index: SourceIndex, class_name: str, name: str
) -> tuple[cst.ClassDef, cst.FunctionDef, list[cst.Call]] | None:
    """The constructions of method `name` of class `class_name` (not `__init__`/`build`)."""
    if name in ONCE:
        return None
    for function in functions(index):
        cls = enclosing_class(index, function)
        if function.name.value != name or cls is None or cls.name.value != class_name:
            continue  # any class: the probe saw TensorFlow or Keras call this method
        made = [c for c in calls_in(function) if creates_layer(index, c) or creates_variable(index, c) or creates_optimizer(index, c)]
        made = [c for c in made if not any(c is not o and inside(index, c, o) for o in made)]
        return (cls, function, made) if made else None
    return None


def _constructions(index: SourceIndex) -> list[tuple[cst.ClassDef, cst.FunctionDef, list[cst.Call]]]:
    found = []
    for function in functions(index):
        if function.name.value != "call":
            continue
        cls = enclosing_class(index, function)
        if cls is None or not is_keras_subclass(index, cls):
            continue
        made = [c for c in calls_in(function) if creates_layer(index, c) or creates_variable(index, c)]
        made = [c for c in made if not any(c is not o and inside(index, c, o) for o in made)]
        if made:
            found.append((cls, function, made))
    return found


def _loop_plan(index: SourceIndex, class_name: str) -> bool:
    try:
        layers_per_loop(index, class_name)
    except Skip:
        return False
    return True


def _hoistable(
    index: SourceIndex,
    call: cst.FunctionDef,
    construction: cst.Call,
    shape_of: str | None = None,
    derived: dict[str, cst.SimpleStatementLine] | None = None,
) -> bool:
    """The constructor reads only `self`, literals and names from outside `call`; with
    `shape_of` (the input parameter), also `<shape_of>.shape[i]` for a literal `i`, provided
    `call` never rebinds that parameter (so the shape is the input's, as `build` receives it)."""
    local = {p.name.value for p in [*call.params.params, *call.params.kwonly_params]} - {"self"}
    if call.params.star_arg and isinstance(call.params.star_arg, cst.Param):
        local.add(call.params.star_arg.name.value)
    if call.params.star_kwarg:
        local.add(call.params.star_kwarg.name.value)
    scope = index.scope_of(construction)
    if scope is not None:
        local |= {name for name in scope.assignments._assignments} - {"self"}  # noqa: SLF001 - libcst exposes no public iterator
        if shape_of is not None and len(scope[shape_of]) != 1:
            return False  # the input is rebound in call: its shape there is not build's
    reads: set[str] = set()

    class Reads(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            reads.add(node.value)

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)
            return False

        def visit_Arg(self, node: cst.Arg) -> bool:
            node.value.visit(self)  # keyword names are not reads
            return False

        def visit_Subscript(self, node: cst.Subscript) -> bool:
            # `x.shape[-1]`: the input's shape, which build receives; nothing else is read
            return not (_is_shape_of(node.value, shape_of) and _literal_index(node))

    for arg in construction.args:
        arg.visit(Reads())
    return not (reads & (local - set(derived or {})))


def _literal_index(node: cst.Subscript) -> bool:
    """`[i]` or `[-i]` with an integer literal `i`."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return False
    value = node.slice[0].slice.value
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
        value = value.expression
    return isinstance(value, cst.Integer)


def _attributes(cls: cst.ClassDef) -> set[str]:
    taken: set[str] = set()

    class Finder(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            if isinstance(node.value, cst.Name) and node.value.value == "self":
                taken.add(node.attr.value)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            taken.add(node.name.value)

    cls.visit(Finder())
    return taken


def _preferred_name(index: SourceIndex, construction: cst.Call) -> str:
    parent = index.parent(construction)
    if isinstance(parent, cst.Assign) and parent.value is construction and len(parent.targets) == 1:
        target = parent.targets[0].target
        if isinstance(target, cst.Name):
            return target.value
    for arg in construction.args:  # a layer named `name="conv_theta"` is `self.conv_theta`
        if arg.keyword is not None and arg.keyword.value == "name" and isinstance(arg.value, cst.SimpleString):
            literal = arg.value.evaluated_value
            if isinstance(literal, str) and literal.isidentifier():
                return literal
    kind = index.module.code_for_node(construction.func).split(".")[-1]
    if kind in ("add_weight", "Variable"):
        return "weight"
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", kind).lower().replace("_d", "d") if kind else "layer"


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    suffix = 1
    while f"{name}_{suffix}" in taken:
        suffix += 1
    return f"{name}_{suffix}"


def _factories(index: SourceIndex, class_name: str) -> list[tuple[cst.ClassDef, cst.FunctionDef, cst.SimpleStatementLine, str]]:
    """`self.<attr> = lambda x: <Layer>(...)(x)` statements of `class_name.__init__`."""
    found = []
    for function in functions(index):
        cls = enclosing_class(index, function)
        if function.name.value != "__init__" or cls is None or cls.name.value != class_name:
            continue
        if not is_keras_subclass(index, cls) or not isinstance(function.body, cst.IndentedBlock):
            continue
        for statement in function.body.body:
            if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
                continue
            assign = statement.body[0]
            if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
                continue
            target, value = assign.targets[0].target, assign.value
            if not (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self"):
                continue
            if not isinstance(value, cst.Lambda) or len(value.params.params) != 1 or value.params.star_arg != cst.MaybeSentinel.DEFAULT:
                continue
            body, param = value.body, value.params.params[0].name.value
            if (
                isinstance(body, cst.Call)
                and isinstance(body.func, cst.Call)
                and creates_layer(index, body.func)
                and len(body.args) == 1
                and isinstance(body.args[0].value, cst.Name)
                and body.args[0].value.value == param
            ):
                found.append((cls, function, statement, target.attr.value))
    return found


def _factory_at(index: SourceIndex, class_name: str, line: int) -> str | None:
    for _, _, statement, attr in _factories(index, class_name):
        rng = index.range(statement)
        if rng.start.line <= line <= rng.end.line:
            return attr
    return None


def _one_layer_per_call(index: SourceIndex, plan: OneLayerPerCall) -> str:
    found = next((f for f in _factories(index, plan.class_name) if f[3] == plan.attr), None)
    if found is None:
        raise Skip(f"no layer-making lambda `self.{plan.attr}` in `{plan.class_name}.__init__`")
    cls, init, statement, attr = found
    uses: list[cst.Attribute] = []

    class Uses(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            if isinstance(node.value, cst.Name) and node.value.value == "self" and node.attr.value == attr:
                uses.append(node)

    cls.visit(Uses())
    calls = []
    for use in uses:
        parent = index.parent(use)
        if isinstance(parent, cst.AssignTarget) and index.parent(parent) is statement.body[0]:
            continue
        if not isinstance(parent, cst.Call) or parent.func is not use:
            raise Skip(f"`self.{attr}` is used other than called")
        if _in_loop(index, parent, cls):
            raise Skip(f"`self.{attr}` is called in a loop: one layer per call site would share weights across iterations")
        calls.append(parent)
    if not calls:
        raise Skip(f"`self.{attr}` is never called")
    calls.sort(key=lambda c: (index.range(c).end.line, index.range(c).end.column))  # inner calls run first
    factory = _unique(attr, _attributes_and_locals(init))
    taken = _attributes(cls)
    names: list[str] = []
    for _ in calls:
        names.append(_unique(f"{attr}_{len(names) + 1}", taken))
        taken.add(names[-1])
    lam = statement.body[0].value  # type: ignore[attr-defined]
    layer = index.module.code_for_node(lam.body.func)
    created = [cst.parse_statement(f"{factory} = lambda: {layer}")]
    created += [cst.parse_statement(f"self.{name} = {factory}()") for name in names]
    created[0] = created[0].with_changes(leading_lines=statement.leading_lines)
    renamed = {id(call.func): name for call, name in zip(calls, names)}

    class Rewrite(cst.CSTTransformer):
        def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
            name = renamed.get(id(original))
            return updated.with_changes(attr=cst.Name(name)) if name else updated

        def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine) -> Any:
            return cst.FlattenSentinel(created) if original is statement else updated

    return index.module.visit(Rewrite()).code


def _in_loop(index: SourceIndex, node: cst.CSTNode, stop: cst.CSTNode) -> bool:
    current = index.parent(node)
    while current is not None and current is not stop:
        if isinstance(current, (cst.For, cst.While, cst.ListComp, cst.GeneratorExp, cst.SetComp, cst.DictComp)):
            return True
        current = index.parent(current)
    return False
