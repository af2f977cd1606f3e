"""GF503 removed-model-method.

A ``Model`` method Keras 3 removed because its replacement takes the same input:
``fit_generator``, ``evaluate_generator``, ``predict_generator`` (``fit``, ``evaluate`` and
``predict`` take generators and ``PyDataset``s since TF 2.1) and ``predict_proba`` (``predict``
returns the same probabilities).

Symptom: ``AttributeError: 'Functional' object has no attribute 'fit_generator'`` (or
``'Sequential' object ...``) where the program calls it.

Detection: the program fails with that error, and the failing expression in the user's file is
``<model>.<method>`` for one of these methods.

Fix: call the replacement. Positional arguments after the generator are passed by the name they
had (``fit_generator(gen, 100, 5)`` put 100 in ``steps_per_epoch``, where ``fit`` would read it
as ``y``); ``nb_epoch`` becomes ``epochs``; ``workers``, ``use_multiprocessing`` and
``max_queue_size`` are dropped (they only tuned how Keras 2 fed the generator; the values
computed do not change). Every call of these methods in the file is rewritten at once.

Keras 1 counted in samples: ``fit_generator(gen, samples_per_epoch=N, nb_epoch=E,
nb_val_samples=M)`` (and ``val_samples=`` of ``evaluate_generator`` / ``predict_generator``)
ended an epoch once N samples were drawn, that is after ceil(N / batch) batches of a generator
yielding ``batch`` rows each. A call with such an argument (its positional arguments then read in
Keras 1's order) becomes ``steps_per_epoch=ceil(N / batch)`` (``validation_steps``, ``steps``)
where the batch size is found in the program: a ``batch_size=`` (``batch``, ``bs``) argument of
the call that makes the generator, the parameter of that name (or its default) of the generator
function or ``Sequence`` class it calls (defined in the file or in a module beside it), a batch
constant the generator function reads, or Keras's own default of 32 for
``ImageDataGenerator.flow*``. ``nb_val_samples`` with arrays as ``validation_data`` was ignored
by Keras 1 and is dropped. Where the batch size is not found, the call is reported, not changed.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from codemods.base import Example, FaultRule, Skip
from codemods.edits import add_import
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex

REPLACEMENTS = {
    "fit_generator": "fit",
    "evaluate_generator": "evaluate",
    "predict_generator": "predict",
    "predict_proba": "predict",
}
# the Keras 2.3 parameters, in order, after the generator
POSITIONAL = {
    "fit_generator": (
        "steps_per_epoch", "epochs", "verbose", "callbacks", "validation_data", "validation_steps",
        "validation_freq", "class_weight", "max_queue_size", "workers", "use_multiprocessing", "shuffle", "initial_epoch",
    ),
    "evaluate_generator": ("steps", "callbacks", "max_queue_size", "workers", "use_multiprocessing", "verbose"),
    "predict_generator": ("steps", "callbacks", "max_queue_size", "workers", "use_multiprocessing", "verbose"),
    "predict_proba": ("batch_size", "verbose"),
}  # fmt: skip
# Keras 1.2's parameters, in order, after the generator (read so when the call uses a Keras 1 keyword)
KERAS1_POSITIONAL = {
    "fit_generator": (
        "samples_per_epoch", "nb_epoch", "verbose", "callbacks", "validation_data", "nb_val_samples",
        "class_weight", "max_q_size", "nb_worker", "pickle_safe", "initial_epoch",
    ),
    "evaluate_generator": ("val_samples", "max_q_size", "nb_worker", "pickle_safe"),
    "predict_generator": ("val_samples", "max_q_size", "nb_worker", "pickle_safe", "verbose"),
}  # fmt: skip
RENAMED = {"nb_epoch": "epochs"}
DROPPED = ("workers", "use_multiprocessing", "max_queue_size", "max_q_size", "nb_worker", "pickle_safe")
# Keras 1 sample counts -> the Keras 2 step count they become (the generator they count)
SAMPLE_COUNTS = {"samples_per_epoch": "steps_per_epoch", "nb_val_samples": "validation_steps", "val_samples": "steps"}
KERAS1_ONLY = (*SAMPLE_COUNTS, "max_q_size", "nb_worker", "pickle_safe")
BATCH_PARAMETER = re.compile(r"^(batch_?size|batch|bs|n_?batch|nb_batch)$", re.IGNORECASE)
FLOW_METHODS = ("flow", "flow_from_directory", "flow_from_dataframe")  # ImageDataGenerator: batch_size=32
_ERROR = re.compile(r"'\w+' object has no attribute '(?P<name>\w+)'")
_FRAME = re.compile(r'File "(?P<path>[^"]+\.py)", line (?P<line>\d+)')


@dataclass(frozen=True)
class CallReplacement(Plan):
    """`<model>.<method>(...)` at `call` (and every other call of a removed method in the file)
    calls its Keras 3 replacement. `batches`: for a Keras 1 call counting samples, the batch size
    of the generator each count is about (`samples_per_epoch`, `nb_val_samples`, `val_samples`
    -> an int expression), "" for a count that is dropped (validation arrays)."""

    call: Span
    method: str
    batches: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        counted = "".join(f", `{k}` in batches of {b}" for k, b in self.batches if b)
        return f"call-replacement: `.{self.method}(...)` becomes `.{REPLACEMENTS.get(self.method, '?')}(...)`{counted}"


def _method(call: cst.Call) -> str | None:
    if isinstance(call.func, cst.Attribute) and call.func.attr.value in REPLACEMENTS:
        return call.func.attr.value
    return None


def _keywords(call: cst.Call) -> dict[str, cst.BaseExpression] | None:
    """Every argument after the generator by its parameter name (Keras 1 order when the call uses a
    Keras 1 keyword, else Keras 2's), or None when they do not map."""
    method = _method(call)
    if method is None or any(a.star for a in call.args):
        return None
    positional = [a.value for a in call.args if a.keyword is None]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    order = KERAS1_POSITIONAL.get(method, ()) if set(keywords) & set(KERAS1_ONLY) else POSITIONAL[method]
    if not positional and "generator" not in keywords and "x" not in keywords:
        return None
    if len(positional) > 1 + len(order):
        return None
    named = dict(zip(order, positional[1:]))
    return {**named, **keywords} if not set(named) & set(keywords) else None


def _sample_counts(call: cst.Call) -> dict[str, cst.BaseExpression]:
    return {k: v for k, v in (_keywords(call) or {}).items() if k in SAMPLE_COUNTS}


def _convertible(call: cst.Call, batches: dict[str, str]) -> bool:
    return _keywords(call) is not None and all(k in batches for k in _sample_counts(call))


class RemovedModelMethod(FaultRule):
    code = "GF503"
    name = "removed-model-method"
    summary = "fit_generator / evaluate_generator / predict_generator / predict_proba, removed in Keras 3"
    flavors = ("keras3",)

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is None or error.span is None or error.type != "AttributeError":
            return []
        match = _ERROR.search(error.message)
        if match is None or match.group("name") not in REPLACEMENTS:
            return []
        method = match.group("name")
        call = _call_of(index, error.span)
        line, col = error.span.line, error.span.col + 1
        lead = f"`Model.{method}` was removed in Keras 3; `{REPLACEMENTS[method]}` takes the same input"
        if call is None or _keywords(call) is None:
            return [self.fault(line, col, f"{lead} (this call's arguments do not convert: rewrite it by hand)")]
        batches = _BatchSizes(index, _program_directory(error.traceback, error.span.line)).of_call(call)
        unknown = [k for k in _sample_counts(call) if k not in batches]
        if unknown:
            return [
                self.fault(
                    line,
                    col,
                    (
                        f"{lead}; `{unknown[0]}` counts samples (Keras 1) and the batch size of the generator it counts is not "
                        f"found in the program: give `{SAMPLE_COUNTS[unknown[0]]}=ceil(samples / batch size)` by hand"
                    ),
                )
            ]
        plan = CallReplacement(index.span_of(call), method, tuple(sorted(batches.items())))
        return [self.fault(line, col, lead, repairs=(plan,), explains_error=True)]

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, CallReplacement):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        node = index.node_at(plan.call, cst.Call)
        if not isinstance(node, cst.Call) or _method(node) is None:
            raise Skip(f"no call of a removed model method at line {plan.call.line}")
        batches = dict(plan.batches)
        if not _convertible(node, batches):
            raise Skip("the call's arguments do not convert")
        rewriter = _Rewriter(index, plan.call, batches)
        code = index.module.visit(rewriter).code
        if rewriter.needs_math and "math" not in _imported_names(index.module):
            code = add_import(code, "import math")
        return code

    EXAMPLES = (
        Example(
            before="model.fit_generator(batches(x, y), 100, 5, workers=4, use_multiprocessing=True)\n",
            plan=CallReplacement(Span(1, 0, 1, 79), "fit_generator"),
            after="model.fit(batches(x, y), steps_per_epoch=100, epochs=5)\n",
        ),
        Example(
            before="gan.fit_generator(gen, steps_per_epoch=10, nb_epoch=2)\nscore = gan.evaluate_generator(gen, 4)\n",
            plan=CallReplacement(Span(1, 0, 1, 54), "fit_generator"),
            after="gan.fit(gen, steps_per_epoch=10, epochs=2)\nscore = gan.evaluate(gen, steps=4)\n",
        ),
        Example(
            before="p = clf.predict_proba(x_test, verbose=0)\n",
            plan=CallReplacement(Span(1, 4, 1, 40), "predict_proba"),
            after="p = clf.predict(x_test, verbose=0)\n",
        ),
        Example(
            before="model.fit_generator(gen, samples_per_epoch=1000, nb_epoch=2, validation_data=(xv, yv), nb_val_samples=64)\n",
            plan=CallReplacement(
                Span(1, 0, 1, 105), "fit_generator", (("nb_val_samples", ""), ("samples_per_epoch", "32"))
            ),
            after="model.fit(gen, steps_per_epoch=32, epochs=2, validation_data=(xv, yv))\n",
        ),
        Example(
            before="import numpy as np\nm.fit_generator(g, len(x), 3, 1, [], val, len(xv), nb_worker=2)\n",
            plan=CallReplacement(
                Span(2, 0, 2, 63), "fit_generator", (("nb_val_samples", "bs"), ("samples_per_epoch", "bs"))
            ),
            after=(
                "import numpy as np\nimport math\nm.fit(g, steps_per_epoch=math.ceil(len(x) / bs), epochs=3, verbose=1, "
                "callbacks=[], validation_data=val, validation_steps=math.ceil(len(xv) / bs))\n"
            ),
        ),
    )
    UNCHANGED = (
        Example(
            before="model.fit_generator(gen, samples_per_epoch=1000, nb_epoch=2)\n",
            plan=CallReplacement(Span(1, 0, 1, 60), "fit_generator"),
            note="Keras 1 counts samples, not batches, and the plan knows no batch size",
        ),
        Example(
            before="model.fit(gen, steps_per_epoch=10)\n",
            plan=CallReplacement(Span(1, 0, 1, 34), "fit_generator"),
            note="already the replacement",
        ),
    )


class _Rewriter(cst.CSTTransformer):
    """Every call of a removed method whose arguments convert; `batches` apply to the call at `target`."""

    def __init__(self, index: SourceIndex, target: Span, batches: dict[str, str]) -> None:
        super().__init__()
        self.index, self.target, self.batches = index, target, batches
        self.needs_math = False

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if _method(original) is None:
            return updated
        batches = self.batches if self.index.span_of(original) == self.target else {}
        if not _convertible(original, batches):
            return updated
        return self._replace(original, updated, batches)

    def _replace(self, original: cst.Call, updated: cst.Call, batches: dict[str, str]) -> cst.Call:
        method = _method(original)
        assert method is not None
        keywords = {a.keyword.value for a in updated.args if a.keyword is not None}
        order = KERAS1_POSITIONAL.get(method, ()) if keywords & set(KERAS1_ONLY) else POSITIONAL[method]
        args: list[cst.Arg] = []
        positional = 0
        for arg in updated.args:
            if arg.keyword is None:
                positional += 1
                if positional > 1:
                    arg = arg.with_changes(keyword=cst.Name(order[positional - 2]), equal=_EQUAL)
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword in DROPPED or (keyword in SAMPLE_COUNTS and not batches[keyword]):
                continue
            if keyword in SAMPLE_COUNTS:
                arg = arg.with_changes(
                    keyword=cst.Name(SAMPLE_COUNTS[keyword]), value=self._steps(arg.value, batches[keyword])
                )
            elif keyword in RENAMED:
                arg = arg.with_changes(keyword=cst.Name(RENAMED[keyword]))
            args.append(arg)
        if args:
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        func = updated.func
        assert isinstance(func, cst.Attribute)
        return updated.with_changes(func=func.with_changes(attr=cst.Name(REPLACEMENTS[method])), args=args)

    def _steps(self, samples: cst.BaseExpression, batch: str) -> cst.BaseExpression:
        if isinstance(samples, cst.Integer) and batch.isdigit():
            return cst.Integer(str(math.ceil(int(samples.evaluated_value) / int(batch))))
        self.needs_math = True
        code = cst.Module([]).code_for_node(samples)
        return cst.parse_expression(f"math.ceil({code} / {batch})")


_EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


class _BatchSizes:
    """The batch size a generator expression yields, as an int expression valid at the call site,
    when the program says it."""

    def __init__(self, index: SourceIndex, directory: str | None) -> None:
        self.module = index.module
        self.directory = directory

    def of_call(self, call: cst.Call) -> dict[str, str]:
        keywords = _keywords(call) or {}
        generator = call.args[0].value if call.args and call.args[0].keyword is None else None
        found: dict[str, str] = {}
        for count in _sample_counts(call):
            if count == "nb_val_samples":
                data = keywords.get("validation_data")
                if data is None or self._arrays(data):
                    found[count] = ""  # Keras 1 read nb_val_samples only for a generator
                    continue
                batch = self.of(data)
            else:
                batch = self.of(generator) if generator is not None else None
            if batch is not None:
                found[count] = batch
        return found

    def _arrays(self, node: cst.BaseExpression) -> bool:
        node = self._value(node)
        return isinstance(node, (cst.Tuple, cst.List))

    def _value(self, node: cst.BaseExpression) -> cst.BaseExpression:
        """A name bound once in the file: its value."""
        if isinstance(node, cst.Name):
            values = _assigned(self.module, node.value)
            if len(values) == 1:
                return values[0]
        return node

    def of(self, node: cst.BaseExpression) -> str | None:
        node = self._value(node)
        if not isinstance(node, cst.Call):
            return None
        for arg in node.args:
            if arg.keyword is not None and BATCH_PARAMETER.match(arg.keyword.value):
                return self._int(arg.value, self.module)
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in FLOW_METHODS:
            return "32"
        if not isinstance(node.func, cst.Name):
            return None
        found = self._definition(node.func.value)
        if found is None:
            return None
        definition, module = found
        return self._from_definition(node, definition, module)

    def _from_definition(self, call: cst.Call, definition: cst.FunctionDef, module: cst.Module) -> str | None:
        params = [p for p in definition.params.params if p.name.value not in ("self", "cls")]
        for position, param in enumerate(params):
            if not BATCH_PARAMETER.match(param.name.value):
                continue
            positional = [a.value for a in call.args if a.keyword is None]
            if position < len(positional) and not any(a.star for a in call.args):
                return self._int(positional[position], self.module)
            if param.default is not None:
                return self._int(param.default, module, literal=True)
            return None
        # a generator that reads a module-level batch constant of its own module
        for name in (n.value for n in m.findall(definition, m.Name()) if isinstance(n, cst.Name)):
            if BATCH_PARAMETER.match(name):
                return self._int(cst.Name(name), module, literal=module is not self.module)
        return None

    def _definition(self, name: str) -> tuple[cst.FunctionDef, cst.Module] | None:
        local = _function_or_init(self.module, name)
        if local is not None:
            return local, self.module
        source = _imported_from(self.module, name)
        if source is None or self.directory is None:
            return None
        module_name, original = source
        path = os.path.join(self.directory, *module_name.split(".")) + ".py"
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                other = cst.parse_module(handle.read())
        except (OSError, cst.ParserSyntaxError):
            return None
        found = _function_or_init(other, original)
        return (found, other) if found is not None else None

    def _int(self, node: cst.BaseExpression, module: cst.Module, literal: bool = False) -> str | None:
        """An int literal, or a module-level name bound to one (kept as the name when it is read in
        the same file)."""
        if isinstance(node, cst.Integer):
            return node.value
        if isinstance(node, cst.Name):
            values = [v for v in _assigned(module, node.value, top_level=True)]
            if len(values) == 1 and isinstance(values[0], cst.Integer):
                return values[0].value if literal else node.value
        return None


def _assigned(module: cst.Module, name: str, top_level: bool = False) -> list[cst.BaseExpression]:
    """The values `name` is assigned anywhere in the module (only at its top level if asked)."""
    values: list[cst.BaseExpression] = []

    class Finder(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return not top_level

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return not top_level

        def visit_Assign(self, node: cst.Assign) -> None:
            for target in node.targets:
                if isinstance(target.target, cst.Name) and target.target.value == name:
                    values.append(node.value)

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            if isinstance(node.target, cst.Name) and node.target.value == name and node.value is not None:
                values.append(node.value)

    module.visit(Finder())
    return values


def _function_or_init(module: cst.Module, name: str) -> cst.FunctionDef | None:
    """The top-level function `name`, or the `__init__` of the top-level class `name`."""
    for statement in module.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
            return statement
        if isinstance(statement, cst.ClassDef) and statement.name.value == name:
            for item in statement.body.body:
                if isinstance(item, cst.FunctionDef) and item.name.value == "__init__":
                    return item
    return None


def _imported_from(module: cst.Module, name: str) -> tuple[str, str] | None:
    """(module, original name) of `from module import original [as name]` (absolute imports)."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if not isinstance(small, cst.ImportFrom) or small.relative or small.module is None:
                continue
            if isinstance(small.names, cst.ImportStar):
                continue
            for alias in small.names:
                bound = alias.asname.name if alias.asname is not None else alias.name
                if isinstance(bound, cst.Name) and bound.value == name and isinstance(alias.name, cst.Name):
                    return cst.Module([]).code_for_node(small.module), alias.name.value
    return None


def _imported_names(module: cst.Module) -> set[str]:
    names: set[str] = set()
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Import):
                    names |= {cst.Module([]).code_for_node(a.asname.name if a.asname else a.name) for a in small.names}
    return names


def _program_directory(traceback: str, line: int) -> str | None:
    """The directory of the program file whose frame failed at `line` (helper modules beside it
    are read to find a generator's batch size)."""
    frames = [m for m in _FRAME.finditer(traceback) if int(m.group("line")) == line]
    return os.path.dirname(frames[-1].group("path")) if frames else None


def _call_of(index: SourceIndex, span: Span) -> cst.Call | None:
    node = index.node_at(span, cst.Attribute) or index.node_at(span, cst.Call)
    if isinstance(node, cst.Call):
        return node
    parent = index.parent(node) if node is not None else None
    if isinstance(parent, cst.Call) and parent.func is node:
        return parent
    return None
