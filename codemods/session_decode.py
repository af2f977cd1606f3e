"""GF203's eager decoding: a session that fetches what TF ops computed on a model's symbolic output.

YOLO-style heads, detectors, samplers: the program builds, once, a decoding step on
``model.output`` (a call such as ``boxes, scores = postprocess(model.output, anchors, size_ph)``,
a statement of TF or backend ops fed by placeholders) and fetches its results with
``sess.run([boxes, scores], feed_dict={model.input: x, size_ph: hw, K.learning_phase(): 0})``.
Under TF2 there is no graph to fetch from: Keras 3 has no session, and tf-keras turns each op on
the symbolic output into a layer whose shape inference may fail (a reversed slice of a dynamic
shape). A sub-model ``Model(inputs, [boxes, scores])`` cannot hold those ops either (NMS,
``boolean_mask``).

The TF2 form runs the model eagerly and applies the same ops to its result: the decoding statement
becomes a function of the model output and the placeholders (defined where the statement was,
so it reads the same local values; kept on ``self`` in a method), the placeholders go, and the
fetch becomes ``[np.asarray(v) for v in decode(model(x, training=False), tf.constant(hw,
dtype=...))]``: the same weights in inference mode (what the fed learning phase 0 selected), the
same ops, the same NumPy values in the same order. The decoded names may reach the fetch directly
or through a method that returns them (``self.boxes, self.scores = self._build()``): that return
and the assignment go with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from codemods.backend_function import is_learning_phase
from graphfix.source import SourceIndex

_INPUT = re.compile(r"^(?P<model>.+)\.(input|inputs\[(?P<position>\d+)\])$")


@dataclass(frozen=True)
class Decoding:
    """One session run whose fetches a decoding statement computed."""

    run: cst.Call
    statements: tuple[cst.SimpleStatementLine, ...]  # `name = value` steps, the first reading `<model>.output(s)`
    model: str  # the model's code (`self.net`)
    inputs: tuple[cst.BaseExpression, ...]  # fed values for the model's inputs, in order
    placeholders: tuple[tuple[str, cst.BaseExpression, str], ...]  # (code, fed value, dtype code)
    placeholder_statements: tuple[cst.SimpleStatementLine, ...]
    method: cst.FunctionDef | None  # the method the statement is in (its `self` keeps the function)
    returned: cst.SimpleStatementLine | None  # `return targets` of that method, when the fetch reads its result
    result_assignment: cst.Assign | None  # `fetched = self.method()`
    several: bool  # the fetch is a list of several values

    @property
    def statement(self) -> cst.SimpleStatementLine:
        """The last step: it binds what the run fetches."""
        return self.statements[-1]

    @property
    def function(self) -> str:
        value = _assign(self.statement).value
        callee = value.func if isinstance(value, cst.Call) else None
        if len(self.statements) == 1 and isinstance(callee, cst.Name):  # a decoding function of the program
            return f"eager_{callee.value.lstrip('_')}"
        target = _assign(self.statement).targets[0].target
        first = target.elements[0].value if isinstance(target, (cst.Tuple, cst.List)) else target
        name = (
            first.attr.value
            if isinstance(first, cst.Attribute)
            else first.value
            if isinstance(first, cst.Name)
            else "outputs"
        )
        return f"decode_{name.lstrip('_')}"


def _assign(statement: cst.SimpleStatementLine) -> cst.Assign:
    node = statement.body[0]
    assert isinstance(node, cst.Assign)
    return node


def _code(index: SourceIndex, node: cst.CSTNode) -> str:
    return index.module.code_for_node(node)


def _targets(index: SourceIndex, node: cst.BaseAssignTargetExpression | cst.BaseExpression) -> list[str]:
    if isinstance(node, (cst.Tuple, cst.List)):
        return [_code(index, e.value) for e in node.elements]
    return [_code(index, node)]


def placeholders(index: SourceIndex) -> dict[str, tuple[cst.SimpleStatementLine, str]]:
    """`name = <...>.placeholder(...)` statements: code of the name -> (statement, dtype code)."""
    found: dict[str, tuple[cst.SimpleStatementLine, str]] = {}
    for node in index.positions:
        if not (
            isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1 and isinstance(node.body[0], cst.Assign)
        ):
            continue
        assign = node.body[0]
        call = assign.value
        func = call.func if isinstance(call, cst.Call) else None
        name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        if name != "placeholder" or len(assign.targets) != 1 or not isinstance(call, cst.Call):
            continue
        keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        positional = [a.value for a in call.args if a.keyword is None]
        dtype = keywords.get("dtype")
        if dtype is None and positional and not isinstance(positional[0], (cst.Tuple, cst.List, cst.Integer)):
            dtype = positional[0]  # tf.placeholder(dtype, shape); K.placeholder(shape, ...) starts with the shape
        found[_code(index, assign.targets[0].target)] = (
            node,
            _code(index, dtype) if dtype is not None else "'float32'",
        )
    return found


def decoding(index: SourceIndex, run: cst.Call, feed: cst.Dict) -> Decoding | None:
    """The decoding a session run fetches, when its fetches are the targets of one statement that
    reads a fed model's symbolic output (and perhaps fed placeholders)."""
    fetches = run.args[0].value
    several = isinstance(fetches, (cst.List, cst.Tuple))
    fetched = _targets(index, fetches)
    known = placeholders(index)
    model, inputs, fed = None, {}, []
    for element in feed.elements:
        if not isinstance(element, cst.DictElement) or is_learning_phase(element.key):
            continue
        key = _code(index, element.key)
        match = _INPUT.match(key)
        if key in known:
            fed.append((key, element.value, known[key][1]))
        elif match and model in (None, match.group("model")):
            model = match.group("model")
            inputs[int(match.group("position") or 0)] = element.value
        else:
            return None
    if model is None or sorted(inputs) != list(range(len(inputs))):
        return None
    for first in _reading_output(index, model):
        for chain in _chains(index, first, set(known)):
            statement = chain[-1]
            assign = _assign(statement)
            targets = _targets(index, assign.targets[0].target)
            method = index.enclosing(cst.FunctionDef, statement)
            returned, result = None, None
            if targets != fetched:
                found = _returned_to(index, method, targets, fetched)
                if found is None:
                    continue
                returned, result = found
            reads = "".join(_code(index, s) for s in chain)
            if any(code in reads for code in known if code not in {p[0] for p in fed}):
                continue  # a placeholder the run does not feed
            if _temporaries_read_after(index, chain, method):
                continue
            if not any(m.findall(_assign(s).value, m.Call()) for s in chain):
                continue  # a model output only renamed: a sub-model fetches it
            return Decoding(
                run=run, statements=tuple(s for s in chain if _code(index, _assign(s).targets[0].target) not in known),
                model=model, inputs=tuple(inputs[i] for i in sorted(inputs)), placeholders=tuple(fed),
                placeholder_statements=tuple(known[p[0]][0] for p in fed), method=method,
                returned=returned, result_assignment=result, several=several,
            )  # fmt: skip
    return None


def _single_assign(node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1 and isinstance(node.body[0], cst.Assign)
        and len(node.body[0].targets) == 1
    )  # fmt: skip


def _chains(
    index: SourceIndex, first: cst.SimpleStatementLine, placeholders: set[str]
) -> list[list[cst.SimpleStatementLine]]:
    """The runs of one-assignment statements that start at `first` in its block (placeholder
    statements among them are skipped)."""
    if not _single_assign(first):
        return []
    block = index.parent(first)
    body = list(getattr(block, "body", ()))
    if first not in body:
        return [[first]]
    chains: list[list[cst.SimpleStatementLine]] = []
    chain: list[cst.SimpleStatementLine] = []
    for node in body[body.index(first) :]:
        if not _single_assign(node):
            break
        assert isinstance(node, cst.SimpleStatementLine)
        chain.append(node)
        if _code(index, _assign(node).targets[0].target) not in placeholders:
            chains.append(list(chain))
    return chains


def _temporaries_read_after(
    index: SourceIndex, chain: list[cst.SimpleStatementLine], method: cst.FunctionDef | None
) -> bool:
    """A name an earlier step binds is read outside the chain (it would be gone)."""
    temporaries = set()
    for statement in chain[:-1]:
        target = _assign(statement).targets[0].target
        temporaries |= {t for t in _targets(index, target) if "." not in t}
    if not temporaries:
        return False
    scope = method if method is not None else index.module
    inside = set(chain)
    for node in index.positions:
        if (
            isinstance(node, cst.Name)
            and node.value in temporaries
            and not isinstance(index.parent(node), cst.AssignTarget)
        ):
            ancestor: cst.CSTNode | None = node
            within_scope = False
            while ancestor is not None and ancestor not in inside:
                within_scope = within_scope or ancestor is scope
                ancestor = index.parent(ancestor)
            if ancestor is None and (within_scope or scope is index.module):
                return True
    return False


def _reading_output(index: SourceIndex, model: str) -> list[cst.SimpleStatementLine]:
    """One-assignment statements whose value reads `<model>.output` or `<model>.outputs`, and does
    not build a Model (that is a sub-model, not a decoding)."""
    found = []
    wanted = {f"{model}.output", f"{model}.outputs"}
    for node in index.positions:
        if not (
            isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1 and isinstance(node.body[0], cst.Assign)
        ):
            continue
        value = node.body[0].value
        reads = [n for n in m.findall(value, m.Attribute()) if _code(index, n) in wanted]
        if reads and not (isinstance(value, cst.Call) and _code(index, value.func).endswith("Model")):
            found.append(node)
    return found


def _returned_to(
    index: SourceIndex, method: cst.FunctionDef | None, targets: list[str], fetched: list[str]
) -> tuple[cst.SimpleStatementLine, cst.Assign] | None:
    """(`return targets` in `method`, `fetched = self.method()`), when the fetch reads what the
    method returned."""
    if method is None or not method.params.params or method.params.params[0].name.value != "self":
        return None
    returns = [
        n for n in index.positions
        if isinstance(n, cst.SimpleStatementLine) and isinstance(n.body[0], cst.Return) and index.enclosing(cst.FunctionDef, n) is method
    ]  # fmt: skip
    if len(returns) != 1:
        return None
    value = returns[0].body[0].value  # type: ignore[attr-defined]
    if value is None or _targets(index, value) != targets:
        return None
    for node in index.positions:
        if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.value, cst.Call):
            if (
                _code(index, node.value) == f"self.{method.name.value}()"
                and _targets(index, node.targets[0].target) == fetched
            ):
                return returns[0], node
    return None


def reads_outside(index: SourceIndex, decodings: list[Decoding]) -> bool:
    """A placeholder that a decoding removes is read elsewhere than in its decoding statement and
    the runs' feeds."""
    kept = {s for d in decodings for s in d.statements} | {d.run for d in decodings}
    for found in decodings:
        for code, _value, _dtype in found.placeholders:
            for node in index.positions:
                if not isinstance(node, (cst.Name, cst.Attribute)) or _code(index, node) != code:
                    continue
                if isinstance(index.parent(node), cst.AssignTarget):
                    continue
                ancestor: cst.CSTNode | None = node
                while ancestor is not None and ancestor not in kept:
                    ancestor = index.parent(ancestor)
                if ancestor is None:
                    return True
    return False


def eager_fetch(index: SourceIndex, found: Decoding, numpy: str, tensorflow: str) -> cst.BaseExpression:
    """`[np.asarray(v) for v in self.eager_f(self.net(x, training=False), tf.constant(hw, dtype=...))]`."""
    inputs = found.inputs[0] if len(found.inputs) == 1 else cst.List([cst.Element(v) for v in found.inputs])
    model_call = f"{found.model}({_code(index, inputs)}, training=False)"
    fed = [
        f"{tensorflow}.constant({_code(index, value)}, dtype={dtype})" for _code_, value, dtype in found.placeholders
    ]
    owner = "self." if found.method is not None and _has_self(found.method) else ""
    call = f"{owner}{found.function}({', '.join([model_call, *fed])})"
    if found.several and len(_targets(index, _assign(found.statement).targets[0].target)) == 1:
        return cst.parse_expression(f"[{numpy}.asarray({call})]")
    if found.several:
        return cst.parse_expression(f"[{numpy}.asarray(value) for value in {call}]")
    return cst.parse_expression(f"{numpy}.asarray({call})")


def _has_self(method: cst.FunctionDef) -> bool:
    return bool(method.params.params) and method.params.params[0].name.value == "self"


def decode_function(index: SourceIndex, found: Decoding) -> list[cst.BaseStatement]:
    """The decoding statement as a function of the model output and the placeholders (and, in a
    method, the same function kept on `self`)."""
    assign = _assign(found.statement)
    output = f"{found.model.split('.')[-1]}_output"
    params = [output, *(code.split(".")[-1] for code, _value, _dtype in found.placeholders)]
    renames = {f"{found.model}.output": output, f"{found.model}.outputs": output}
    renames |= {code: code.split(".")[-1] for code, _value, _dtype in found.placeholders}

    class Rename(cst.CSTTransformer):
        def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
            code = _code(index, original)
            return cst.Name(renames[code]) if code in renames else updated

        def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
            return cst.Name(renames[original.value]) if original.value in renames else updated

    steps = []
    for statement in found.statements[:-1]:
        step = statement.with_changes(leading_lines=()).visit(Rename())
        assert isinstance(step, cst.SimpleStatementLine)
        steps.append("    " + cst.Module([]).code_for_node(step).lstrip())
    value = assign.value.visit(Rename())
    assert isinstance(value, cst.BaseExpression)
    steps.append(f"    return {cst.Module([]).code_for_node(value)}\n")
    body = cst.parse_statement(f"def {found.function}({', '.join(params)}):\n" + "".join(steps))
    # a nested def stands apart from the statements before it
    leading = found.statements[0].leading_lines or (cst.EmptyLine(indent=False),) * (
        1 if found.method is not None else 2
    )
    statements: list[cst.BaseStatement] = [body.with_changes(leading_lines=leading)]
    if found.method is not None and _has_self(found.method):
        statements.append(cst.parse_statement(f"self.{found.function} = {found.function}"))
    return statements


def called_functions(index: SourceIndex, found: Decoding) -> list[cst.FunctionDef]:
    """The file's top-level functions the decoding statement calls, directly or through each other
    (tf-keras fails inside them, on the symbolic output)."""
    functions = {n.name.value: n for n in index.module.body if isinstance(n, cst.FunctionDef)}
    seen: dict[str, cst.FunctionDef] = {}
    pending: list[cst.CSTNode] = list(found.statements)
    while pending:
        node = pending.pop()
        for name in _called_names(node):
            if name in functions and name not in seen:
                seen[name] = functions[name]
                pending.append(functions[name])
    return list(seen.values())


def _called_names(node: cst.CSTNode) -> list[str]:
    return [
        call.func.value
        for call in m.findall(node, m.Call(func=m.Name()))
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Name)
    ]


def module_alias(index: SourceIndex, module: str) -> str | None:
    """The name `import <module> [as alias]` binds at the file's top level."""
    for statement in index.module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        if _code(index, alias.name) == module:
                            return alias.evaluated_alias or module
    return None
