"""GF102 dead-branch (silent).

A layer's output is computed, bound to a name that is never read, and never reaches any model
output, while the next layer of the same chain consumes that layer's own *input*: the decoder
of an autoencoder wired to ``input_img`` instead of ``encoded``. Keras builds the model without
a word; the skipped layer is never trained.

Symptom: none at run time. ``model.summary()`` lacks the layer; its weights never change.

Detection needs both kinds of evidence. The probe shows a dead region: a layer call whose result
nothing uses, with the calls it is computed from that reach no model either (a convolution, its
normalisation and activation), and a later call reading what the region read (the block's input
instead of the block's result). Inside a user Layer or Model class the same is seen from the
probe's inner trace of its ``call``: an inner layer result from which nothing ``call`` returns
is computed, then a later inner call reading that layer's own input; its weights get no gradient
(``fit`` only warns). The source must agree: the dead result is bound to a name that nothing
reads before the name is bound again, and the stale reader runs while the name still holds it
(in the same function). The fault is located at the stale reader.

Fix: the consumer reads the dead tensor instead (``Dense(784)(input_img)`` becomes
``Dense(784)(encoded)``, ``self.act(coarse_in)`` becomes ``self.act(c1)``): the named layer then
takes part in the model, and it is what the chain of names says the author meant. The first
later reader is the preferred candidate; every other reader that runs while the dead name still
holds the dead value is a further one (a reader after the name was bound again would read
another value: never proposed). Where no layer reads it but the model's outputs were taken
before the dead layer (``Model(x, logits)`` after ``probs = Softmax()(logits)``), the model takes
the dead result. The engine probes each candidate; when several verify and build different
models its criteria cannot rank, nothing is written.

The dead region may be made by a helper function whose result the caller unpacks
(``a2, b2 = fuse(a1, b1)``): the probe records, for every layer call, the user calls that led to
it, so the region is tied to one call of the helper and the returned value to the name it is
bound to (``a2``, by its position in the returned tuple; ``x = ...; return x`` returns it too).
When the caller binds that name again before anything reads it, in a statement that reads what
the region read (``a2, b2 = fuse(a1, b1)`` once more), that statement was meant to continue
from the dead result: it reads, at the position of each dead name it binds again, that name
(``fuse(a2, b2)``). For a tuple only that pairing is proposed: a helper's other results may be
left unused on purpose. A single result that is never used, while the next call reads what the
region read (``h2 = block(h0)`` after ``h1 = block(h0)``), is rewired like a dead layer call.

Also silent: a ``Model`` whose input is an intermediate tensor rather than an ``Input`` (both
flavours accept it and drop the layers before it). When that tensor comes from exactly one
``Input`` bound to a name, the model is built from that ``Input``.

Safety: rewiring a consumer keeps every model's inputs and outputs and only adds the dead
layers' weights to the model that should have trained them: safe, written by ``--apply``. Taking
a model's input from the ``Input`` changes what a model that built takes: unsafe, shown and
written only with ``--unsafe-fixes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.edits import call_at, defined_before, model_arg, names_in, rewrite
from graphfix.ftypes import Evidence, Fault, ModelBuild, Plan, Span
from graphfix.graph import ConstructionGraph, Proposal, TensorNames
from graphfix.source import SourceIndex


@dataclass(frozen=True)
class RewireConsumer(Plan):
    """The call at `consumer` reads `new` (the dead tensor) where it read `old`."""

    consumer: Span
    old: str
    new: str

    def describe(self) -> str:
        return f"rewire consumer: the call at line {self.consumer.line} reads `{self.new}` instead of `{self.old}`"


@dataclass(frozen=True)
class ModelInput(Plan):
    """The model built at `model` takes the Input `new` instead of the intermediate tensor `old`."""

    unsafe: ClassVar[bool] = True  # a model that built takes another input

    model: Span
    old: str
    new: str

    def describe(self) -> str:
        return f"model input: the model at line {self.model.line} is built from `{self.new}`, not `{self.old}`"


class DeadBranch(FaultRule):
    code = "GF102"
    name = "dead-branch"
    summary = "a layer's output never reaches the model (the next layer reads its input instead)"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        faults: list[Fault] = []
        graph = ConstructionGraph(evidence)
        built = [m for m in evidence.models if m.ok]
        if built:
            in_models: set[int] = set()
            for model in built:
                in_models |= graph.ancestors(model.outputs)
            steps = [
                _Step(c.index, c.uid, c.cls, c.inputs, c.outputs, c.span, any(t in in_models for t in c.outputs), sites=c.sites)
                for c in evidence.calls
                if not c.failed
            ]
            outputs = {t for m in built for t in m.outputs}
            faults.extend(self._stale_reads(steps, index, built, outputs))
            faults.extend(self._intermediate_inputs(graph, index))
        for trace in evidence.inner_traces:
            steps = [_Step(c.index, c.uid, c.cls, c.inputs, c.outputs, c.span, c.reaches, c.converted) for c in trace.calls]
            faults.extend(self._stale_reads(steps, index, [], set(trace.returned), inside=trace.cls))
        return faults

    def _stale_reads(
        self, steps: list[_Step], index: SourceIndex, models: list[ModelBuild], kept: set[int], inside: str = ""
    ) -> list[Fault]:
        """Dead regions (calls whose results reach nothing kept) and the later calls that read
        what a region read, where the region's result was meant to go."""
        producer = {t: s for s in steps for t in s.outputs}
        consumers: dict[int, list[_Step]] = {}
        for step in steps:
            for t in step.inputs:
                consumers.setdefault(t, []).append(step)
        faults: list[Fault] = []
        for tail in steps:
            if tail.live or not tail.outputs or tail.span is None:
                continue
            if any(consumers.get(t) or t in kept for t in tail.outputs):
                continue  # not the end of its dead region
            region = _region(tail, producer)
            frontier = [t for s in region for t in s.inputs if producer.get(t) not in region]
            every_reader: list[_Step] = []
            for source in dict.fromkeys(frontier):
                entries = [s for s in region if source in s.inputs]
                readers = [
                    c for c in consumers.get(source, [])
                    if c.index > tail.index and c not in region and c.span is not None and c.uid not in {e.uid for e in entries}
                ]
                every_reader.extend(r for r in readers if r not in every_reader)
                fault = self._stale_fault(index, tail, entries, readers, models, source, inside)
                if fault is not None:
                    faults.append(fault)
                    break
            else:
                if tail.sites:
                    entries = [s for s in region if any(t in frontier for t in s.inputs)]
                    fault = self._overwritten_result(index, tail, entries, every_reader)
                    if fault is not None and fault not in faults:
                        faults.append(fault)
        return faults

    def _overwritten_result(self, index: SourceIndex, tail: _Step, entries: list[_Step], readers: list[_Step]) -> Fault | None:
        """The dead region was made by a helper whose result the caller binds to a name
        (`a, b = block(x, y)`) and binds again before reading it, in a statement that reads what
        the region read: `a, b = block(x, y)` once more. That statement was meant to continue
        from the dead result: it reads, in the place of each name it binds again, that name."""
        returned = _returned_at_caller(index, tail)
        if returned is None:
            return None
        site, dead_name = returned
        window = _unread_window(index, site, dead_name)
        if window is None:
            return None
        olds: set[str] = set()
        for entry in entries:
            node = _lifted_call(index, entry, window.scope)
            if node is not None:
                olds.update(n.value for n in _call_arg_names(node))
        olds.discard(dead_name)
        weak: tuple[cst.Call, str] | None = None  # a later call that reads the region's input
        for reader in sorted(readers, key=lambda r: r.index):
            node = _lifted_call(index, reader, window.scope)
            if node is None or not _in_window(index, node, window):
                continue
            targets = _assigned_names(index, node)
            read = list(dict.fromkeys(n.value for n in _call_arg_names(node) if n.value in olds))
            positional = [a.value for a in node.args if a.keyword is None and not a.star]
            old: str | None = None
            if dead_name in targets and len(targets) == 1 and len(read) == 1:
                old = read[0]  # `h = block(h_old)`: the one name of the region it reads
            elif dead_name in targets and len(positional) > targets.index(dead_name):
                at = positional[targets.index(dead_name)]  # `a, b = fuse(a_old, b_old)`: by position
                old = at.value if isinstance(at, cst.Name) and at.value in olds else None
            elif weak is None and len(read) == 1 and not _unpacks(index, site):
                weak = (node, read[0])  # `h2 = block(h0)` after `h1 = block(h0)`: only if nothing rebinds it
            if old is not None and len(names_in(node, old)) == 1:
                return self._rewire_fault(index, node, old, dead_name, window, rebound=True)
        if weak is not None and len(names_in(weak[0], weak[1])) == 1:
            return self._rewire_fault(index, weak[0], weak[1], dead_name, window, rebound=False)
        return None

    def _rewire_fault(self, index: SourceIndex, node: cst.Call, old: str, dead_name: str, window: _Window, rebound: bool) -> Fault:
        span = index.span_of(node)
        helper = index.module.code_for_node(node.func)
        fate = f"is bound again at line {span.line} before anything reads it" if rebound else "is never used"
        message = (
            f"`{dead_name}` (line {window.line}), computed by `{helper}`, {fate}; "
            f"the call at line {span.line} reads `{old}` instead: those layers are never trained"
        )
        return self.fault(span.line, span.col + 1, message, repairs=(RewireConsumer(span, old, dead_name),))

    def _stale_fault(
        self, index: SourceIndex, tail: _Step, entries: list[_Step], readers: list[_Step],
        models: list[ModelBuild], source: int, inside: str,
    ) -> Fault | None:
        dead_node = _call_node(index, tail.span, tail.converted)
        dead_name = _bound_through_ops(index, dead_node) if dead_node is not None else None
        if dead_node is None or dead_name is None or dead_name == "_":
            return None
        window = _unread_window(index, dead_node, dead_name)
        if window is None:
            return None  # the name is read before it is bound again: used in a way the probe cannot see
        olds = {n.value for e in entries for n in _arg_names(index, e.span, e.converted)} - {dead_name, "self"}
        spans: list[Span] = []
        old_name: str | None = None
        for reader in readers:
            for old in sorted(olds):
                node = _reader_node(index, reader.span, reader.converted, old)
                if node is not None and _in_window(index, node, window) and (old_name in (None, old)):
                    span = index.span_of(node)
                    if span not in spans:
                        spans.append(span)
                        old_name = old
        if not spans and not inside:  # the model's outputs taken before the dead layer: `Model(x, logits)`
            for model in models:
                if source not in model.outputs or model.span is None:
                    continue
                for old in sorted(olds):
                    node = _reader_node(index, model.span, False, old)
                    if node is not None and _in_window(index, node, window):
                        spans.append(index.span_of(node))
                        old_name = old
                        break
        if not spans or old_name is None:
            return None
        first = spans[0]
        where = f" in `{inside}.call`" if inside else ""
        message = (
            f"`{dead_name}` (line {window.line}){where} is computed but never used; the call at line {first.line} "
            f"reads `{old_name}` instead: that layer is never trained"
        )
        repairs = tuple(RewireConsumer(span, old_name, dead_name) for span in spans)
        return self.fault(first.line, first.col + 1, message, repairs=repairs)

    def _intermediate_inputs(self, graph: ConstructionGraph, index: SourceIndex) -> list[Fault]:
        faults: list[Fault] = []
        for model in graph.evidence.models:
            if not model.ok or model.span is None or len(model.inputs) != 1:
                continue
            tid = model.inputs[0]
            producer = graph.producer(tid)
            if producer is None:
                continue
            name = index.name_bound_at(producer.span)
            call = index.node_at(model.span)
            argument = model_arg(call, 0, "inputs") if isinstance(call, cst.Call) else None
            if name is None or argument is None or not (isinstance(argument.value, cst.Name) and argument.value.value == name):
                continue  # e.g. `Model(base.output, head)`: a deliberate model on another's features
            roots = [r for r in graph.roots([tid]) if (t := graph.tensor(r)) is not None and t.is_input]
            line, col = model.span.line, model.span.col + 1
            lead = f"model input `{name or 'tensor'}` is an intermediate tensor, not an Input: the layers before it are dropped"
            root_name = index.name_bound_at(graph.tensors[roots[0]].input_span) if len(roots) == 1 else None
            if name is None or root_name is None:
                faults.append(self.fault(line, col, lead))
                continue
            plan = ModelInput(model.span, name, root_name)
            faults.append(self.fault(line, col, f"{lead}; build it from `{root_name}`", repairs=(plan,)))
        return faults

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if isinstance(plan, RewireConsumer):
            call = call_at(index, plan.consumer)
            target: cst.CSTNode = call
        elif isinstance(plan, ModelInput):
            call = call_at(index, plan.model)
            argument = model_arg(call, 0, "inputs")
            if argument is None:
                raise Skip("the model call names no inputs")
            target = argument.value
        else:
            raise Skip(f"not a {self.code} plan: {type(plan).__name__}")
        if not defined_before(index, plan.new, call):
            raise Skip(f"`{plan.new}` is not defined before line {index.range(call).start.line}")
        found = names_in(target, plan.old)
        if len(found) != 1:
            raise Skip(f"`{plan.old}` is not a single argument of the call at line {index.range(call).start.line}")
        return rewrite(index, {found[0]: cst.Name(plan.new)})

    def proposals(self, fault: Fault, plan: Plan, graph: ConstructionGraph, names: TensorNames) -> list[Proposal]:
        """The dead tensor into the consumer (replacing the shared input), or the Input into the
        model (replacing the intermediate tensor)."""
        evidence = graph.evidence
        if isinstance(plan, RewireConsumer):
            consumer = next((c for c in evidence.calls if c.span == plan.consumer), None)
            if consumer is None:
                return []
            old = names.tensor_named(plan.old, graph, consumer.inputs)
            if old is None:
                return []
            # the dead tensor: computed from the same input, bound to the new name
            siblings = [t for c in graph.consumers.get(old, []) if c.index != consumer.index for t in c.outputs]
            new = names.tensor_named(plan.new, graph, siblings)
            if new is None:
                return []
            label = f"proposed: {plan.new}"
            return [Proposal(graph.node_id(new), f"c{consumer.index}", label, replaces=graph.node_id(old))]
        if isinstance(plan, ModelInput):
            model = next((m for m in evidence.models if m.span == plan.model), None)
            if model is None or len(model.inputs) != 1:
                return []
            roots = [r for r in graph.roots([model.inputs[0]]) if (t := graph.tensor(r)) is not None and t.is_input]
            root = names.tensor_named(plan.new, graph, roots)
            if root is None:
                return []
            target = f"m{evidence.models.index(model)}"
            label = f"proposed input: {plan.new}"
            return [Proposal(f"t{root}", target, label, replaces=graph.node_id(model.inputs[0]))]
        return []

    EXAMPLES = (
        Example(
            before=(
                "x = Input(shape=(784,))\n"
                "encoded = Dense(32)(x)\n"
                "decoded = Dense(784)(x)  # decoder\n"
                "ae = Model(x, decoded)\n"
            ),
            plan=RewireConsumer(Span(3, 10, 3, 23), old="x", new="encoded"),
            after=(
                "x = Input(shape=(784,))\n"
                "encoded = Dense(32)(x)\n"
                "decoded = Dense(784)(encoded)  # decoder\n"
                "ae = Model(x, decoded)\n"
            ),
        ),
        Example(
            before="inp = Input((8,))\nh = Dense(4)(inp)\nout = Dense(1)(h)\nm = Model(inputs=h, outputs=out)\n",
            plan=ModelInput(Span(4, 4, 4, 32), old="h", new="inp"),
            after="inp = Input((8,))\nh = Dense(4)(inp)\nout = Dense(1)(h)\nm = Model(inputs=inp, outputs=out)\n",
        ),
        Example(
            before=(
                "class Block(Layer):\n"
                "    def call(self, x):\n"
                "        y = self.conv_a(x)\n"
                "        y = self.conv_b(x)\n"
                "        return x + y\n"
            ),
            plan=RewireConsumer(Span(4, 12, 4, 26), old="x", new="y"),
            after=(
                "class Block(Layer):\n"
                "    def call(self, x):\n"
                "        y = self.conv_a(x)\n"
                "        y = self.conv_b(y)\n"
                "        return x + y\n"
            ),
            note="inside a user class's call: the second convolution reads the first one's result",
        ),
        Example(
            before="logits = Dense(3)(h)\nprobs = Softmax()(logits)\nm = Model(x, logits)\n",
            plan=RewireConsumer(Span(3, 4, 3, 20), old="logits", new="probs"),
            after="logits = Dense(3)(h)\nprobs = Softmax()(logits)\nm = Model(x, probs)\n",
            note="the model's output was taken before the activation computed for it",
        ),
        Example(
            before=(
                "left2, right2 = fuse(left1, right1)\n"
                "left2, right2 = fuse(left1, right1)\n"
                "out = Concatenate()([left2, right2])\n"
            ),
            plan=RewireConsumer(Span(2, 16, 2, 36), old="left1", new="left2"),
            after=(
                "left2, right2 = fuse(left1, right1)\n"
                "left2, right2 = fuse(left2, right1)\n"
                "out = Concatenate()([left2, right2])\n"
            ),
            note="a helper's unpacked results bound again before use: the second call continues from the first",
        ),
    )
    UNCHANGED = (
        Example(
            before="decoded = Dense(784)(x)\nencoded = Dense(32)(x)\n",
            plan=RewireConsumer(Span(1, 10, 1, 23), old="x", new="encoded"),
            note="the dead tensor is computed after the consumer: rewiring would read an undefined name",
        ),
    )


@dataclass(frozen=True)
class _Step:
    """A layer call, functional (`LayerCall`) or inside a user class's `call` (`InnerCall`)."""

    index: int
    uid: int
    cls: str
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    span: Span | None
    live: bool  # its result reaches a built model (or what the user class's `call` returns)
    converted: bool = False  # the span has the line and start column only
    sites: tuple[Span, ...] = ()  # where the helper that made the call was called from, innermost first


def _region(tail: _Step, producer: dict[int, _Step]) -> list[_Step]:
    """`tail` and the dead calls it is computed from."""
    region: list[_Step] = []
    stack = [tail]
    while stack:
        step = stack.pop()
        if step in region:
            continue
        region.append(step)
        stack.extend(p for t in step.inputs if (p := producer.get(t)) is not None and not p.live)
    return region


def _call_node(index: SourceIndex, span: Span | None, converted: bool) -> cst.Call | None:
    """The call at `span`; for a span with a line only, the value of the assignment on that line."""
    if span is None:
        return None
    if not converted:
        node = index.node_at(span)
        return node if isinstance(node, cst.Call) else None
    statement = _statement_at(index, span.line)
    if statement is None or len(statement.body) != 1 or not isinstance(statement.body[0], cst.Assign):
        return None
    value = statement.body[0].value
    if isinstance(value, cst.Call) and not _plain_op(index, value):
        return value
    layer_calls = [c for c in _calls_in(value) if not _plain_op(index, c)]  # `g = h * self.gate(h)`
    return layer_calls[0] if len(layer_calls) == 1 else None


def _statement_at(index: SourceIndex, line: int) -> cst.SimpleStatementLine | None:
    for node, rng in index.positions.items():
        if isinstance(node, cst.SimpleStatementLine) and rng.start.line == line:
            return node
    return None


def _calls_in(node: cst.CSTNode) -> list[cst.Call]:
    found: list[cst.Call] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, n: cst.Call) -> None:
            found.append(n)

        def visit_Lambda(self, n: cst.Lambda) -> bool:
            return False

    node.visit(Finder())
    return found


def _arg_names(index: SourceIndex, span: Span | None, converted: bool) -> list[cst.Name]:
    """Names read by the arguments of the call at `span` (every call on the line, for a line)."""
    if span is None:
        return []
    if not converted:
        node = index.node_at(span)
        calls = [node] if isinstance(node, cst.Call) else []
    else:
        statement = _statement_at(index, span.line)
        calls = _calls_in(statement) if statement is not None else []
    return [name for call in calls for name in _call_arg_names(call)]


def _reader_node(index: SourceIndex, span: Span | None, converted: bool, name: str) -> cst.Call | None:
    """The call at `span` that reads `name` once among its arguments (the innermost one on the
    line, for a span with a line only)."""
    if span is None:
        return None
    if not converted:
        node = index.node_at(span)
        return node if isinstance(node, cst.Call) and len(names_in(node, name)) == 1 else None
    statement = _statement_at(index, span.line)
    if statement is None:
        return None
    reading = [c for c in _calls_in(statement) if len(names_in(c, name)) == 1]
    innermost = [c for c in reading if not any(o is not c and _contains(c, o) for o in reading)]
    return innermost[0] if len(innermost) == 1 else None


def _contains(outer: cst.CSTNode, inner: cst.CSTNode) -> bool:
    return any(c is inner for c in _calls_in(outer))


@dataclass(frozen=True)
class _Window:
    """Lines where a name still holds the value bound at `line` (through `until`, the line that
    binds it again, whose right-hand side still reads it; None: to the end of the scope)."""

    line: int
    end: int  # last line of the binding statement
    until: int | None
    scope: object


_OPS = (cst.BinaryOperation, cst.UnaryOperation, cst.Arg, cst.Call, cst.Subscript, cst.SubscriptElement, cst.Index, cst.Element, cst.List, cst.Tuple)


def _bound_through_ops(index: SourceIndex, node: cst.CSTNode) -> str | None:
    """The name the layer call's result is bound to: `x = layer(h)`, or `x = h * layer(h)` and
    `x = tf.nn.relu(layer(h))`, where plain operations on the result are what the name holds
    (another layer call in between is a live consumer the probe would have seen)."""
    name = index.bound_name(node)
    current = node
    while name is None:
        parent = index.parent(current)
        if parent is None or not isinstance(parent, _OPS):
            return None
        if isinstance(parent, cst.Call) and parent.func is not current and not _plain_op(index, parent):
            return None
        current = parent
        name = index.bound_name(current) if isinstance(current, cst.BaseExpression) else None
    return name


def _plain_op(index: SourceIndex, call: cst.Call) -> bool:
    """`tf.x(...)`, `tf.nn.x(...)`, `keras.ops.x(...)`, `K.x(...)`, `np.x(...)`: an operation, not a layer."""
    head = call.func
    while isinstance(head, cst.Attribute):
        head = head.value
    return isinstance(head, cst.Name) and head.value in ("tf", "ops", "K", "np", "keras", "backend")


def _unread_window(index: SourceIndex, node: cst.CSTNode, name: str) -> _Window | None:
    """Where the value `name = node` binds is visible, when nothing reads it there; None when
    something does (or the flow is not straight-line code the check can follow)."""
    statement = index.statement_of(node)
    scope = index.scope_of(node)
    if statement is None or scope is None:
        return None
    rng = index.range(statement)
    later = [line for line in index.assignment_lines(name, scope) if line > rng.end.line]
    until = min(later) if later else None
    loop = _enclosing_loop(index, statement)
    for access in index.loads(name, scope):
        if access not in index.positions:
            return None
        line = index.range(access).start.line
        if rng.end.line < line and (until is None or line <= until):
            return None
        if loop is not None and index.range(loop).start.line <= line < rng.start.line:
            return None  # read at the top of the loop: the next iteration sees this value
    return _Window(rng.start.line, rng.end.line, until, scope)


def _enclosing_loop(index: SourceIndex, node: cst.CSTNode) -> cst.CSTNode | None:
    current = index.parent(node)
    while current is not None and not isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Module)):
        if isinstance(current, (cst.For, cst.While)):
            return current
        current = index.parent(current)
    return None


def _in_window(index: SourceIndex, node: cst.CSTNode, window: _Window) -> bool:
    """`node` runs where the dead value is still bound to its name, in the same scope."""
    if index.scope_of(node) is not window.scope:
        return False
    line = index.range(node).start.line
    return window.end < line and (window.until is None or line <= window.until)


def _returned_at_caller(index: SourceIndex, step: _Step) -> tuple[cst.Call, str] | None:
    """The call of a helper function through which `step`'s result is returned (through
    helpers that return it in turn), and the name that call's caller binds that result to:
    `a` for `a = block(x)`, `b` for `a, b = block(x)` when the helper returns `(..., result)`."""
    node = _call_node(index, step.span, step.converted)
    position: int | None = None
    for site in step.sites:
        if node is None:
            return None
        returned = _return_position(index, node)
        if returned is None:
            return None
        function, at = returned
        if at is not None:
            if position is not None:
                return None  # a tuple inside a returned tuple
            position = at
        call = index.node_at(site)
        if not isinstance(call, cst.Call) or _called_name(call) != function.name.value:
            return None
        if isinstance(index.parent(call), cst.Return):
            node = call  # returned again by the caller: one level up
            continue
        targets = _assigned_names(index, call)
        if position is None:
            return (call, targets[0]) if len(targets) == 1 and not _unpacks(index, call) else None
        if not _unpacks(index, call) or position >= len(targets) or targets[position] == "_":
            return None
        return call, targets[position]
    return None


def _return_position(index: SourceIndex, node: cst.CSTNode) -> tuple[cst.FunctionDef, int | None] | None:
    """The function `node` is returned from, and its position when the function returns a
    tuple (or list) of which it is one element; None when `node` is not what is returned.
    `x = node` followed by `return x` (nothing binding `x` in between) counts as returned."""
    function = _enclosing_function(index, node)
    if function is None:
        return None
    name = index.bound_name(node)
    if name is not None:
        node_ = _returned_name(index, node, name, function)
        if node_ is None:
            return None
        node = node_
    parent = index.parent(node)
    position: int | None = None
    if isinstance(parent, cst.Element):
        sequence = index.parent(parent)
        if not isinstance(sequence, (cst.Tuple, cst.List)):
            return None
        position = next(i for i, e in enumerate(sequence.elements) if e is parent)
        node, parent = sequence, index.parent(sequence)
    if not isinstance(parent, cst.Return) or parent.value is not node:
        return None
    return function, position


def _enclosing_function(index: SourceIndex, node: cst.CSTNode) -> cst.FunctionDef | None:
    current = index.parent(node)
    while current is not None and not isinstance(current, (cst.FunctionDef, cst.Lambda, cst.ClassDef, cst.Module)):
        current = index.parent(current)
    return current if isinstance(current, cst.FunctionDef) else None


def _returned_name(index: SourceIndex, node: cst.CSTNode, name: str, function: cst.FunctionDef) -> cst.Name | None:
    """The read of `name` in the function's one `return` (its value or an element of it), when
    the value `node` binds to it is the one returned: nothing else reads or binds it between."""
    statement = index.statement_of(node)
    scope = index.scope_of(node)
    if statement is None or scope is None:
        return None
    line = index.range(statement).end.line
    returns = [r for r in _returns(function) if r.value is not None]
    if len(returns) != 1 or index.range(returns[0]).start.line <= line:
        return None
    at = index.range(returns[0]).start.line
    if any(line < bound <= at for bound in index.assignment_lines(name, scope)):
        return None
    reads = list({id(r): r for r in index.loads(name, scope) if r in index.positions and line < index.range(r).start.line}.values())
    value = returns[0].value
    candidates = [value] if isinstance(value, cst.Name) else [e.value for e in value.elements] if isinstance(value, (cst.Tuple, cst.List)) else []
    returned = [c for c in candidates if isinstance(c, cst.Name) and c.value == name]
    if len(returned) != 1 or [r for r in reads if index.range(r).start.line <= at] != returned:
        return None
    return returned[0]


def _returns(function: cst.FunctionDef) -> list[cst.Return]:
    found: list[cst.Return] = []

    class Finder(cst.CSTVisitor):
        def visit_Return(self, node: cst.Return) -> None:
            found.append(node)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

    function.visit(Finder())
    return found


def _called_name(call: cst.Call) -> str | None:
    """`block` for `block(...)`, `self.block(...)` and `blocks.block(...)`."""
    func = call.func
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None


def _assigned_names(index: SourceIndex, call: cst.CSTNode) -> list[str]:
    """The names `call`'s value is bound to: `[a]` for `a = call`, `[a, b]` for `a, b = call`
    (`""` for a target that is not a plain name); empty when the call is not a whole value."""
    parent = index.parent(call)
    if not isinstance(parent, cst.Assign) or parent.value is not call or len(parent.targets) != 1:
        return []
    target = parent.targets[0].target
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [e.value.value if isinstance(e.value, cst.Name) else "" for e in target.elements]
    return []


def _unpacks(index: SourceIndex, call: cst.CSTNode) -> bool:
    parent = index.parent(call)
    return isinstance(parent, cst.Assign) and isinstance(parent.targets[0].target, (cst.Tuple, cst.List))


def _lifted_call(index: SourceIndex, step: _Step, scope: object) -> cst.Call | None:
    """The call in `scope` that made `step`: the step's own call, or the call of the helper
    (of the helper...) that made it."""
    for span in (step.span, *step.sites):
        node = _call_node(index, span, step.converted and span is step.span)
        if node is not None and index.scope_of(node) is scope:
            return node
    return None


def _call_arg_names(call: cst.Call) -> list[cst.Name]:
    names: list[cst.Name] = []
    for arg in call.args:
        if isinstance(arg.value, cst.Name):
            names.append(arg.value)
        elif isinstance(arg.value, (cst.List, cst.Tuple)):
            names.extend(e.value for e in arg.value.elements if isinstance(e.value, cst.Name))
    return names
