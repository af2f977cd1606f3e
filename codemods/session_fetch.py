"""GF203 session-fetch.

TF1 style reading of layer values: ``sess = tf.compat.v1.Session()`` (or ``K.get_session()``,
or ``with tf.compat.v1.Session() as sess:``) and ``sess.run(layer.output, feed_dict={model.input:
X})``. Under TF2's eager execution the Keras tensors are not in the session's graph.

Symptom: Keras 3 ``RuntimeError: The Session graph is empty.`` or ``AttributeError: module
'keras.backend' has no attribute 'get_session'``; tf-keras ``TypeError: Tensors are unhashable``
(the ``feed_dict`` keyed by Keras tensors). ``tf_upgrade_v2`` renames these calls to
``tf.compat.v1.*`` and the result still fails.

Detection: the program fails on a line that creates the session or runs it, where the session
is a name bound to ``Session()``/``get_session()`` and each ``run`` fetches with a literal
``feed_dict``. Programs that call ``tf.compat.v1.disable_eager_execution()`` and run are not
faulty and never reach this rule.

A ``tf.compat.v1.placeholder`` (``RuntimeError: tf.placeholder() is not compatible with eager
execution``) with a literal shape becomes ``keras.Input`` of that shape and dtype: the model is
then called on it symbolically, and the session fetch that feeds it becomes a sub-model below.

Fix: each ``sess.run(fetches, feed_dict={k1: v1, ...})`` becomes
``keras.Model([k1, ...], fetches).predict([v1, ...], verbose=0)``: the same layers with the same
weights compute the same NumPy values (a one-element fetch list stays a one-element list, a
list of several still unpacks). The session, its ``with`` block (its body kept), ``set_session``
and ``close`` calls go once nothing else uses the session.

A run whose fetches are what TF ops computed on a model's symbolic output (a YOLO-style head's
box decoding, a sampler's softmax, fed by placeholders) cannot become a sub-model: the model runs
eagerly and the same ops decode its result (``codemods/session_decode.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import libcst as cst

from codemods.backend_function import is_learning_phase, model_constructor
from codemods.base import Example, FaultRule, Skip
from codemods.edits import add_import, call_at, drop_unused_backend_imports, rewrite
from codemods.session_decode import (
    Decoding,
    called_functions,
    decode_function,
    decoding,
    eager_fetch,
    module_alias,
    reads_outside,
)
from codemods.tf_op_on_keras_tensor import keras_prefix
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex

SESSION_MAKERS = ("Session", "InteractiveSession", "get_session")


@dataclass(frozen=True)
class SessionToPredict(Plan):
    """Every `<session>.run(fetches, feed_dict)` becomes a sub-model's `predict`; the session goes."""

    session: str

    def describe(self) -> str:
        return f"session to predict: each `{self.session}.run(...)` becomes `keras.Model(...).predict(...)`, `{self.session}` goes"


@dataclass(frozen=True)
class DecodeEagerly(Plan):
    """The runs of `<session>` that fetch what TF ops computed on a model's symbolic output run the
    model eagerly and apply the same ops (a function) to its result; other runs become `predict`."""

    session: str

    def describe(self) -> str:
        return (
            f"decode eagerly: each `{self.session}.run(...)` of decoded model outputs calls the model and decodes its result, "
            f"`{self.session}` and the placeholders go"
        )


@dataclass(frozen=True)
class PlaceholderToInput(Plan):
    """The `tf.compat.v1.placeholder(...)` call at `placeholder` becomes a `keras.Input`."""

    placeholder: Span

    def describe(self) -> str:
        return f"placeholder to input: the placeholder at line {self.placeholder.line} becomes a `keras.Input` of its shape"


class SessionFetch(FaultRule):
    code = "GF203"
    name = "session-fetch"
    summary = "TF1 Session.run(layer.output, feed_dict=...) in TF2 code"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is None or error.span is None:
            return []
        sessions = _sessions(index)
        if "placeholder() is not compatible with eager execution" in error.message and not any(
            error.span.line in _decoding_lines(index, found)
            for _maker, runs in sessions.values()
            for found in _decodings(index, runs)
        ):
            return self._placeholder(index, error.span)
        if not sessions:
            return []
        lines = {error.span.line}
        for name, (maker, runs) in sessions.items():
            involved = {index.range(maker).start.line} | {index.range(r).start.line for r in runs}
            decodings = _decodings(index, runs)
            involved |= {line for found in decodings for line in _decoding_lines(index, found)}
            if not lines & involved:
                continue
            line, col = error.span.line, error.span.col + 1
            if not runs:
                return [
                    self.fault(
                        line, col, f"TF1 session `{name}` in TF2 code; no `{name}.run(..., feed_dict=...)` to replace"
                    )
                ]
            if not all(_feed(run) is not None for run in runs):
                return [
                    self.fault(
                        line, col, f"TF1 session `{name}`: a `run` without a literal feed_dict cannot be rewritten"
                    )
                ]
            if decodings:
                first = index.range(decodings[0].statements[0]).start.line
                message = (
                    f"TF1 session `{name}` fetches what TF ops built at line {first} computed on a Keras model's symbolic output: "
                    "run the model eagerly and apply the same ops to its result"
                )
                return [self.fault(line, col, message, repairs=(DecodeEagerly(name),))]
            message = f"TF1 session `{name}` fetches Keras tensors; use a sub-model's `predict`"
            return [self.fault(line, col, message, repairs=(SessionToPredict(name),))]
        return []

    def detect_static(self, index: SourceIndex) -> list[Fault]:
        if "disable_eager_execution" in index.source or ".run(" not in index.source:
            return []
        faults = []
        for name, (_maker, runs) in _sessions(index).items():
            if runs and all(_feed(run) is not None for run in runs):
                span = index.span_of(runs[0])
                message = f"TF1 session `{name}` runs with a feed_dict: in TF2 use a sub-model's `predict`"
                plan: Plan = DecodeEagerly(name) if _decodings(index, runs) else SessionToPredict(name)
                faults.append(self.fault(span.line, span.col + 1, message, repairs=(plan,)))
        return faults

    def _placeholder(self, index: SourceIndex, span: Span) -> list[Fault]:
        line, col = span.line, span.col + 1
        call = index.node_at(span)
        if not isinstance(call, cst.Call) or _placeholder_input(call, "keras") is None:
            return [
                self.fault(
                    line,
                    col,
                    "a TF1 placeholder in eager TF2 code: use keras.Input(shape=...) or pass tensors as arguments",
                )
            ]
        message = "a TF1 placeholder in eager TF2 code: a `keras.Input` of the same shape feeds the model symbolically"
        return [self.fault(line, col, message, repairs=(PlaceholderToInput(span),))]

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if isinstance(plan, PlaceholderToInput):
            call = call_at(index, plan.placeholder)
            prefix = keras_prefix(index)
            replacement = _placeholder_input(call, prefix or "keras")
            if replacement is None:
                raise Skip("the placeholder's shape is not a literal")
            code = rewrite(index, {call: replacement})
            return code if prefix else add_import(code, "import keras")
        if not isinstance(plan, (SessionToPredict, DecodeEagerly)):
            raise Skip(f"not a {self.code} plan: {type(plan).__name__}")
        name = plan.session
        sessions = _sessions(index)
        if name not in sessions:
            raise Skip(f"no session `{name}` in this file")
        maker, runs = sessions[name]
        if not runs or any(_feed(run) is None for run in runs):
            raise Skip("a `run` without a literal feed_dict cannot be rewritten")
        prefix = keras_prefix(index)
        _session_statements(index, name, set(runs))  # refuses when the session has other uses
        constructor = model_constructor(index)
        decodings = {found.run: found for found in _decodings(index, runs)} if isinstance(plan, DecodeEagerly) else {}
        if isinstance(plan, DecodeEagerly) and not decodings:
            raise Skip("no run fetches a decoding of a model's symbolic output")
        if reads_outside(index, list(decodings.values())):
            raise Skip("a placeholder the decoding reads is used elsewhere")
        numpy, tensorflow = module_alias(index, "numpy") or "np", module_alias(index, "tensorflow") or "tf"
        replacements: dict[cst.CSTNode, cst.CSTNode] = {
            run: eager_fetch(index, decodings[run], numpy, tensorflow)
            if run in decodings
            else _predict(run, constructor)
            for run in runs
        }
        statements = _decoding_statements(index, list(decodings.values()))
        unwrap = _with_block(index, maker)

        class Rewrite(cst.CSTTransformer):
            def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
                return replacements.get(original, updated)  # type: ignore[return-value]

            def leave_SimpleStatementLine(
                self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
            ) -> Any:
                if original not in statements:
                    return updated
                replacement = statements[original]
                return cst.RemoveFromParent() if replacement is None else cst.FlattenSentinel(replacement)

            def leave_With(self, original: cst.With, updated: cst.With) -> Any:
                if original is unwrap and isinstance(updated.body, cst.IndentedBlock):
                    body = list(updated.body.body)
                    if body and isinstance(body[0], (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                        body[0] = body[0].with_changes(leading_lines=[*updated.leading_lines, *body[0].leading_lines])
                    return cst.FlattenSentinel(body)
                return updated

        code = index.module.visit(Rewrite()).code
        # then drop what is left of the session (its blank lines and comments stay)
        rewritten = SourceIndex(code)
        removals = _session_statements(rewritten, name, set())
        if removals:
            code = rewrite(rewritten, {}, removals)
        code = drop_unused_backend_imports(code)
        if decodings and module_alias(index, "numpy") is None:
            code = add_import(code, "import numpy as np")
        if decodings and module_alias(index, "tensorflow") is None and any(d.placeholders for d in decodings.values()):
            code = add_import(code, "import tensorflow as tf")
        predicted = len(decodings) < len(runs)
        return code if prefix or constructor != "keras.Model" or not predicted else add_import(code, "import keras")

    EXAMPLES = (
        Example(
            before="import tensorflow as tf\nx = tf.compat.v1.placeholder(tf.float32, shape=(None, 28, 28), name='pixels')\n",
            plan=PlaceholderToInput(Span(2, 4, 2, 78)),
            after="import tensorflow as tf\nx = tf.keras.Input(shape=(28, 28), dtype=tf.float32, name='pixels')\n",
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "sess = tf.compat.v1.Session()\n"
                "acts = sess.run(layer.output, feed_dict={model.input: batch})\n"
                "sess.close()\n"
                "print(acts.shape)\n"
            ),
            plan=SessionToPredict("sess"),
            after=(
                "import tensorflow as tf\n"
                "acts = tf.keras.Model(model.input, layer.output).predict(batch, verbose=0)\n"
                "print(acts.shape)\n"
            ),
        ),
        Example(
            before=(
                "import keras\n"
                "import tensorflow as tf\n"
                "with tf.compat.v1.Session() as s:\n"
                "    # both maps at once\n"
                "    a, b = s.run([x.output, y.output], {m.inputs[0]: p, m.inputs[1]: q})\n"
                "    (c,) = s.run([x.output], feed_dict={m.inputs[0]: p, m.inputs[1]: q})\n"
            ),
            plan=SessionToPredict("s"),
            after=(
                "import keras\n"
                "import tensorflow as tf\n"
                "# both maps at once\n"
                "a, b = keras.Model([m.inputs[0], m.inputs[1]], [x.output, y.output]).predict([p, q], verbose=0)\n"
                "(c,) = [keras.Model([m.inputs[0], m.inputs[1]], [x.output]).predict([p, q], verbose=0)]\n"
            ),
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "for name in probes:\n"
                "    values[name] = tf.keras.backend.get_session().run(probes[name], {net_in: batch})\n"
            ),
            plan=SessionToPredict("tf.keras.backend.get_session()"),
            after=(
                "import tensorflow as tf\n"
                "for name in probes:\n"
                "    values[name] = tf.keras.Model(net_in, probes[name]).predict(batch, verbose=0)\n"
            ),
        ),
        Example(
            before=(
                "from keras import backend as K\n"
                "from keras.models import Model\n"
                "class Reader:\n"
                "    def __init__(self, net):\n"
                "        self.net = net\n"
                "        self.session = K.get_session()\n"
                "    def read(self, x):\n"
                "        return self.session.run(self.net.output, feed_dict={self.net.input: x, K.learning_phase(): 0})\n"
            ),
            plan=SessionToPredict("self.session"),
            after=(
                "from keras.models import Model\n"
                "class Reader:\n"
                "    def __init__(self, net):\n"
                "        self.net = net\n"
                "    def read(self, x):\n"
                "        return Model(self.net.input, self.net.output).predict(x, verbose=0)\n"
            ),
        ),
        Example(
            before=(
                "import numpy as np\n"
                "import tensorflow as tf\n"
                "ph = tf.compat.v1.placeholder(tf.float32, shape=())\n"
                "probs = tf.nn.softmax(net.output / ph)\n"
                "best = tf.argmax(probs, axis=-1)\n"
                "sess = tf.compat.v1.Session()\n"
                "(ids,) = sess.run([best], feed_dict={net.input: x, ph: 2.0})\n"
            ),
            plan=DecodeEagerly("sess"),
            after=(
                "import numpy as np\n"
                "import tensorflow as tf\n"
                "\n"
                "\n"
                "def decode_best(net_output, ph):\n"
                "    probs = tf.nn.softmax(net_output / ph)\n"
                "    return tf.argmax(probs, axis=-1)\n"
                "(ids,) = [np.asarray(decode_best(net(x, training=False), tf.constant(2.0, dtype=tf.float32)))]\n"
            ),
        ),
    )
    UNCHANGED = (
        Example(
            before="import tensorflow as tf\nx = tf.compat.v1.placeholder(tf.float32, shape=input_shape)\n",
            plan=PlaceholderToInput(Span(2, 4, 2, 60)),
            note="the shape is not a literal: the Input's shape cannot be written down",
        ),
        Example(
            before="import tensorflow as tf\nsess = tf.compat.v1.Session()\nvalue = sess.run(total)\n",
            plan=SessionToPredict("sess"),
            note="no feed_dict: a pure TF1 graph, not a Keras fetch",
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "out = net.output\n"
                "sess = tf.compat.v1.Session()\n"
                "acts = sess.run(out, feed_dict={net.input: x})\n"
            ),
            plan=DecodeEagerly("sess"),
            note="the model output is only renamed, not decoded: a sub-model fetches it",
        ),
    )


def _decodings(index: SourceIndex, runs: list[cst.Call]) -> list[Decoding]:
    found = []
    for run in runs:
        feed = _feed(run)
        result = decoding(index, run, feed) if feed is not None else None
        if result is not None:
            found.append(result)
    return found


def _decoding_lines(index: SourceIndex, found: Decoding) -> set[int]:
    """Where the program can stop on a decoding: its statement, its placeholders, the functions it calls."""
    lines: set[int] = set()
    for node in (*found.statements, *found.placeholder_statements, *called_functions(index, found)):
        span = index.range(node)
        lines |= set(range(span.start.line, span.end.line + 1))
    return lines


def _decoding_statements(
    index: SourceIndex, decodings: list[Decoding]
) -> dict[cst.CSTNode, list[cst.BaseStatement] | None]:
    """Statements a decoding rewrites (to a list of statements) or removes (None)."""
    statements: dict[cst.CSTNode, list[cst.BaseStatement] | None] = {}
    for found in decodings:
        statements[found.statements[0]] = decode_function(index, found)
        statements |= dict.fromkeys(found.statements[1:])
        statements |= dict.fromkeys(found.placeholder_statements)
        if found.returned is not None:
            statements[found.returned] = None
        if found.result_assignment is not None:
            line = index.statement_of(found.result_assignment)
            assert isinstance(line, cst.SimpleStatementLine)
            statements[line] = [line.with_changes(body=[cst.Expr(found.result_assignment.value)])]
    return statements


def _placeholder_input(call: cst.Call, prefix: str) -> cst.Call | None:
    """`tf.compat.v1.placeholder(dtype, shape=(None, 4), name=n)` -> `keras.Input(shape=(4,),
    dtype=dtype, name=n)`; a fixed batch size keeps it with `batch_shape`."""
    func = call.func
    if not (isinstance(func, cst.Attribute) and func.attr.value == "placeholder"):
        return None
    positional = [a.value for a in call.args if a.keyword is None]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    dtype = keywords.get("dtype", positional[0] if positional else None)
    shape = keywords.get("shape", positional[1] if len(positional) > 1 else None)
    if not isinstance(shape, (cst.Tuple, cst.List)) or not shape.elements or set(keywords) - {"dtype", "shape", "name"}:
        return None
    dims = [e.value for e in shape.elements]
    first = dims[0]
    args: list[cst.Arg] = []
    equal = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
    if isinstance(first, cst.Name) and first.value == "None":
        rest = cst.Tuple([cst.Element(d) for d in dims[1:]]) if dims[1:] else cst.Tuple([])
        args.append(cst.Arg(rest, keyword=cst.Name("shape"), equal=equal))
    else:
        args.append(cst.Arg(cst.Tuple([cst.Element(d) for d in dims]), keyword=cst.Name("batch_shape"), equal=equal))
    if dtype is not None:
        args.append(cst.Arg(dtype, keyword=cst.Name("dtype"), equal=equal))
    if "name" in keywords:
        args.append(cst.Arg(keywords["name"], keyword=cst.Name("name"), equal=equal))
    commas = [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for a in args[:-1]]
    return cst.Call(func=cst.parse_expression(f"{prefix}.Input"), args=[*commas, args[-1]])


def _maker_name(call: cst.BaseExpression) -> str | None:
    if isinstance(call, cst.Call):
        func = call.func
        name = (
            func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else None
        )
        if name in SESSION_MAKERS:
            return name
    return None


def _sessions(index: SourceIndex) -> dict[str, tuple[cst.Call, list[cst.Call]]]:
    """Session names -> (the call that made it, its `.run(...)` calls)."""
    found: dict[str, tuple[cst.Call, list[cst.Call]]] = {}

    class Finder(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            if (
                _maker_name(node.value)
                and len(node.targets) == 1
                and isinstance(node.targets[0].target, (cst.Name, cst.Attribute))
            ):
                found.setdefault(index.module.code_for_node(node.targets[0].target), (node.value, []))  # type: ignore[arg-type]

        def visit_WithItem(self, node: cst.WithItem) -> None:
            if _maker_name(node.item) and node.asname is not None and isinstance(node.asname.name, cst.Name):
                found.setdefault(node.asname.name.value, (node.item, []))  # type: ignore[arg-type]

    index.module.visit(Finder())

    class Runs(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if not isinstance(func, cst.Attribute) or func.attr.value != "run":
                return
            session = index.module.code_for_node(func.value)
            if isinstance(func.value, (cst.Name, cst.Attribute)) and session in found:
                found[session][1].append(node)
            elif _maker_name(func.value):  # `K.get_session().run(...)`: the session is never named
                found.setdefault(session, (func.value, []))[1].append(node)  # type: ignore[arg-type]

    index.module.visit(Runs())
    return found


def _feed(run: cst.Call) -> cst.Dict | None:
    fetch = [a for a in run.args if a.keyword is None]
    feed = next((a for a in run.args if a.keyword is not None and a.keyword.value == "feed_dict"), None)
    if feed is None and len(fetch) == 2:
        feed = fetch[1]
    if feed is None or not isinstance(feed.value, cst.Dict) or not fetch:
        return None
    if any(not isinstance(e, cst.DictElement) for e in feed.value.elements):
        return None
    return feed.value


def _predict(run: cst.Call, constructor: str) -> cst.BaseExpression:
    feed = _feed(run)
    assert feed is not None
    fetches = run.args[0].value
    # a fed learning phase selected test mode, which is what `predict` runs in
    fed = [e for e in feed.elements if isinstance(e, cst.DictElement) and not is_learning_phase(e.key)]
    keys = [e.key for e in fed]
    values = [e.value for e in fed]

    def listed(items: list[cst.BaseExpression]) -> cst.BaseExpression:
        if len(items) == 1:
            return items[0]
        return cst.List([cst.Element(item) for item in items])

    model = cst.Call(func=cst.parse_expression(constructor), args=[cst.Arg(listed(keys)), cst.Arg(fetches)])
    predict = cst.Call(
        func=cst.Attribute(value=model, attr=cst.Name("predict")),
        args=[
            cst.Arg(listed(values)),
            cst.Arg(
                cst.Integer("0"),
                keyword=cst.Name("verbose"),
                equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
                ),
            ),
        ],
    )
    single = isinstance(fetches, (cst.List, cst.Tuple)) and len(fetches.elements) == 1
    return cst.List([cst.Element(predict)]) if single else predict


def _session_statements(index: SourceIndex, name: str, runs: set[cst.Call]) -> set[cst.CSTNode]:
    """`sess = Session()`, `sess.close()`, `K.set_session(sess)`: removable once every other
    read of the session is a rewritten `run`."""
    statements: set[cst.CSTNode] = set()
    others = []
    for node in index.positions:
        if isinstance(node, (cst.Name, cst.Attribute)) and index.module.code_for_node(node) == name:
            parent = index.parent(node)
            if isinstance(parent, cst.AssignTarget) or isinstance(parent, cst.AsName):
                statement = index.statement_of(node)
                if isinstance(statement, cst.SimpleStatementLine):
                    statements.add(statement)
                continue
            call = index.parent(parent) if isinstance(parent, cst.Attribute) else None
            if isinstance(call, cst.Call) and call in runs:
                continue
            if isinstance(parent, cst.Attribute) and parent.attr.value == "close":
                statements.add(index.statement_of(node))  # type: ignore[arg-type]
                continue
            arg_call = index.parent(parent) if isinstance(parent, cst.Arg) else None
            if isinstance(arg_call, cst.Call) and index.module.code_for_node(arg_call.func).endswith("set_session"):
                statements.add(index.statement_of(node))  # type: ignore[arg-type]
                continue
            others.append(node)
    if others:
        raise Skip(f"`{name}` is used other than by `run`, `close` and `set_session`")
    return statements


def _with_block(index: SourceIndex, maker: cst.Call) -> cst.With | None:
    item = index.parent(maker)
    if isinstance(item, cst.WithItem):
        block = index.parent(item)
        if isinstance(block, cst.With) and len(block.items) == 1:
            return block
    return None
