"""Losses given to `compile` that read the model's own symbolic tensors (the static half of GF304).

A loss function passed to `model.compile(loss=..., metrics=[...])` is called by Keras with the
batch's `y_true` and `y_pred` inside the traced train step. When it also reads a tensor of the
functional graph the model was built from (a VAE's `z_mean`, `self.log_var`: a closure over a
layer's output), that tensor is a Keras symbolic tensor, not a value of the batch: Keras 3 fails
("A KerasTensor cannot be used as input to a TensorFlow function"), tf-keras fails while tracing
("an intermediate TF-Keras symbolic input/output").

The repair moves the terms of the loss that read those tensors (and none of the loss's own
arguments) into the graph: a small layer applied to the captured tensors, right after they are
computed, adds their mean with `add_loss` and passes the tensors on unchanged, so the model's
outputs are untouched; the loss keeps the other terms. Keras adds the model's `add_loss` terms
to the compiled loss, and the mean over the batch of a per-sample term is what the compiled loss
made of it, so the total loss is the same. A metric that reported only the moved term is dropped
(the term is now part of the loss). Library-free: plain libcst.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from codemods.base import Skip
from codemods.lambda_layer import class_name, unique_name
from codemods.tf_functions import functions, qualified_names
from graphfix.source import SourceIndex


@dataclass(frozen=True)
class CompiledLoss:
    """A function of the file that a `compile` call takes as its loss or one of its metrics."""

    compile: cst.Call
    role: str  # "loss" or "metric"
    arg: cst.BaseExpression  # the name passed (in the metrics list, the element's value)
    function: cst.FunctionDef
    factory: cst.Call | None = None  # `make_loss(z_mean, ...)`: the call of the function returning it


def compiled_losses(index: SourceIndex) -> list[CompiledLoss]:
    found = []
    for node in index.positions:
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "compile"):
            continue
        for arg in node.args:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword == "loss" or (keyword is None and node.args.index(arg) == 1):
                values = [(arg.value, "loss")]
            elif keyword == "metrics" and isinstance(arg.value, (cst.List, cst.Tuple)):
                values = [(e.value, "metric") for e in arg.value.elements]
            else:
                continue
            for value, role in values:
                function = _named_function(index, value, node)
                if function is not None:
                    found.append(CompiledLoss(node, role, value, function))
                elif isinstance(value, cst.Call) and (inner := _factory_result(index, value)) is not None:
                    found.append(CompiledLoss(node, role, value, inner, factory=value))
    return found


def _factory_result(index: SourceIndex, call: cst.Call) -> cst.FunctionDef | None:
    """The function that the function of the file called by `call` defines and returns
    (`def make_loss(mean, ...): def loss(y_true, y_pred): ...; return loss`)."""
    factory = _named_function(index, call.func, call) if isinstance(call.func, cst.Name) else None
    body = list(factory.body.body) if factory is not None and isinstance(factory.body, cst.IndentedBlock) else []
    if not body or not isinstance(body[-1], cst.SimpleStatementLine) or not isinstance(body[-1].body[0], cst.Return):
        return None
    returned = body[-1].body[0].value
    inner = [f for f in body if isinstance(f, cst.FunctionDef) and isinstance(returned, cst.Name) and f.name.value == returned.value]
    return inner[0] if len(inner) == 1 else None


def factory_arguments(index: SourceIndex, compiled: CompiledLoss) -> dict[str, cst.BaseExpression]:
    """The factory's parameters and what its call gives them (or their defaults)."""
    if compiled.factory is None:
        return {}
    block = index.parent(compiled.function)
    factory = index.parent(block) if block is not None else None
    if not isinstance(factory, cst.FunctionDef):
        return {}
    params = factory.params.params
    given: dict[str, cst.BaseExpression] = {p.name.value: p.default for p in params if p.default is not None}
    for position, arg in enumerate(compiled.factory.args):
        if arg.star:
            return {}
        if arg.keyword is not None:
            given[arg.keyword.value] = arg.value
        elif position < len(params):
            given[params[position].name.value] = arg.value
    return given


def _factory_view(
    index: SourceIndex, compiled: CompiledLoss, symbolic: dict[str, list[cst.SimpleStatementLine]]
) -> tuple[dict[str, list[cst.SimpleStatementLine]], dict[str, str]]:
    """`symbolic` as the factory's returned loss sees it: its parameters given a symbolic tensor
    are bound where that tensor is; and each such parameter's tensor as the caller spells it."""
    sites = {}
    for param, value in factory_arguments(index, compiled).items():
        key = capture_key(value)
        if key is not None and key in symbolic:
            sites[param] = key
    return {**symbolic, **{p: symbolic[k] for p, k in sites.items()}}, sites


def _constant(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.UnaryOperation):
        return _constant(value.expression)
    return isinstance(value, (cst.Integer, cst.Float, cst.SimpleString)) or (
        isinstance(value, cst.Name) and value.value in ("True", "False", "None")
    )


def _named_function(index: SourceIndex, value: cst.BaseExpression, near: cst.CSTNode) -> cst.FunctionDef | None:
    """The function definition `value` refers to, as seen from `near`: a plain name, or
    `self.<method>` in a method of the same class."""
    if isinstance(value, cst.Attribute) and capture_key(value) is not None:
        owner = index.enclosing(cst.ClassDef, near)
        methods = [f for f in functions(index) if f.name.value == value.attr.value and owner is not None and index.parent(index.parent(f)) is owner]  # type: ignore[arg-type]
        return methods[0] if len(methods) == 1 else None
    if not isinstance(value, cst.Name):
        return None
    candidates = [f for f in functions(index) if f.name.value == value.value]
    if len(candidates) > 1:  # the one defined in the same function as the use
        owner_function = index.enclosing(cst.FunctionDef, near)
        candidates = [f for f in candidates if index.enclosing(cst.FunctionDef, f) is owner_function]
    return candidates[0] if len(candidates) == 1 else None


def capture_key(node: cst.CSTNode) -> str | None:
    """`z_mean` or `self.mu`: how a captured tensor is spelled."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
        return f"self.{node.attr.value}"
    return None


def symbolic_bindings(index: SourceIndex) -> dict[str, list[cst.SimpleStatementLine]]:
    """Statements `<key> = <layer>(...)(...)` or `<key> = Input(...)`, by the key they bind."""
    found: dict[str, list[cst.SimpleStatementLine]] = {}
    for node in index.positions:
        if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1 or not isinstance(node.body[0], cst.Assign):
            continue
        assign = node.body[0]
        if len(assign.targets) != 1 or not _symbolic_value(index, assign.value):
            continue
        key = capture_key(assign.targets[0].target)
        if key is not None:
            found.setdefault(key, []).append(node)
    return found


def _symbolic_value(index: SourceIndex, value: cst.BaseExpression) -> bool:
    if not isinstance(value, cst.Call):
        return False
    if isinstance(value.func, cst.Call):
        return True  # a layer built and applied: `Dense(4)(x)`
    names = qualified_names(index, value.func) or {index.module.code_for_node(value.func)}
    return any(n.split(".")[-1] == "Input" for n in names)


def _reads(node: cst.CSTNode) -> list[cst.CSTNode]:
    """Names and `self.<attr>` read in `node`, not into nested functions."""
    found: list[cst.CSTNode] = []

    class Finder(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.append(name)

        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            if capture_key(attribute) is not None:
                found.append(attribute)
                return False
            attribute.value.visit(self)
            return False

        def visit_Arg(self, arg: cst.Arg) -> bool:
            arg.value.visit(self)
            return False

        def visit_FunctionDef(self, inner: cst.FunctionDef) -> bool:
            return inner is node

        def visit_Param(self, param: cst.Param) -> bool:
            return False

    node.visit(Finder())
    return found


def _own_names(function: cst.FunctionDef) -> set[str]:
    """Parameters and names bound in the function's body."""
    names = {p.name.value for p in (*function.params.params, *function.params.kwonly_params, *function.params.posonly_params)}

    class Finder(cst.CSTVisitor):
        def visit_AssignTarget(self, target: cst.AssignTarget) -> None:
            if isinstance(target.target, cst.Name):
                names.add(target.target.value)
            elif isinstance(target.target, (cst.Tuple, cst.List)):
                names.update(e.value.value for e in target.target.elements if isinstance(e.value, cst.Name))

        def visit_FunctionDef(self, inner: cst.FunctionDef) -> bool:
            names.add(inner.name.value)
            return inner is function

    function.visit(Finder())
    return names


def direct_captures(index: SourceIndex, function: cst.FunctionDef, symbolic: dict[str, list[cst.SimpleStatementLine]]) -> list[str]:
    """The symbolic tensors `function` reads from outside it (closure or `self` of a method it is
    nested in), in order of first read."""
    own = _own_names(function)
    keys: list[str] = []
    for read in _reads(function.body):
        key = capture_key(read)
        if key is None or key in keys or key not in symbolic:
            continue
        if isinstance(read, cst.Name) and read.value in own:
            continue
        if isinstance(read, cst.Attribute) and "self" in own and not _same_class(index, function, symbolic[key]):
            continue  # a method's own self, not the one the tensors were kept on
        keys.append(key)
    return keys


def _same_class(index: SourceIndex, method: cst.FunctionDef, bindings: list[cst.SimpleStatementLine]) -> bool:
    """`method` is a method of the class whose methods bound these `self.<attr>` tensors."""
    owner = index.parent(index.parent(method))  # type: ignore[arg-type]
    params = method.params.params
    return (
        isinstance(owner, cst.ClassDef)
        and bool(params)
        and params[0].name.value == "self"
        and all(index.enclosing(cst.ClassDef, b) is owner for b in bindings)
    )


def called_functions(index: SourceIndex, function: cst.FunctionDef) -> Iterator[tuple[cst.Call, cst.FunctionDef]]:
    """Calls in `function` of other functions of the file, by plain name."""
    for read in _reads(function.body):
        parent = index.parent(read)
        if isinstance(parent, cst.Call) and parent.func is read:
            callee = _named_function(index, read, function)
            if callee is not None and callee is not function:
                yield parent, callee


def captures(index: SourceIndex, function: cst.FunctionDef, symbolic: dict[str, list[cst.SimpleStatementLine]]) -> list[str]:
    """Symbolic tensors `function` reads, itself or through functions of the file it calls."""
    keys = direct_captures(index, function, symbolic)
    for _, callee in called_functions(index, function):
        keys += [k for k in direct_captures(index, callee, symbolic) if k not in keys]
    return keys


def capturing_losses(index: SourceIndex) -> list[tuple[CompiledLoss, list[str]]]:
    """Compiled losses and metrics that read symbolic tensors of the model's graph."""
    symbolic = symbolic_bindings(index)
    found = []
    for compiled in compiled_losses(index):
        keys = captures(index, compiled.function, _factory_view(index, compiled, symbolic)[0])
        if keys:
            found.append((compiled, keys))
    return found


def in_capturing_loss(index: SourceIndex, node: cst.CSTNode) -> bool:
    """`node` is inside a compiled loss (or a function it calls) that reads symbolic tensors."""
    covered = []
    for compiled, _ in capturing_losses(index):
        covered.append(compiled.function)
        covered += [callee for _, callee in called_functions(index, compiled.function)]
    current: cst.CSTNode | None = node
    while current is not None:
        if any(current is f for f in covered):
            return True
        current = index.parent(current)
    return False


_BUILTINS = frozenset(dir(builtins))


def add_loss_in_graph(index: SourceIndex, loss_name: str) -> str:
    """The rewrite (see the module docstring); `Skip` with the reason when it does not apply."""
    symbolic = symbolic_bindings(index)
    entries = [(c, k) for c, k in capturing_losses(index) if c.role == "loss" and c.function.name.value == loss_name]
    if not entries:
        raise Skip(f"`{loss_name}` is not a compiled loss reading the model's tensors")
    compiled, keys = entries[0]
    loss = compiled.function
    symbolic, sites = _factory_view(index, compiled, symbolic)
    constants = {
        p: v for p, v in factory_arguments(index, compiled).items() if p not in sites and _constant(v) and p not in _own_names(loss)
    }
    if any(len(symbolic[k]) != 1 for k in keys):
        raise Skip("a captured tensor is bound more than once")
    keys = sorted(keys, key=lambda k: index.range(symbolic[k][0]).start.line)
    params = {p.name.value for p in loss.params.params}
    body = list(loss.body.body) if isinstance(loss.body, cst.IndentedBlock) else []
    if not body or not isinstance(body[-1], cst.SimpleStatementLine) or not isinstance(body[-1].body[0], cst.Return):
        raise Skip(f"`{loss_name}` does not end in a return")
    returned = body[-1].body[0].value
    if returned is None:
        raise Skip(f"`{loss_name}` returns nothing")
    mean_call, total = _unwrap_mean(index, returned)
    terms = _terms(total)
    moved_locals: dict[str, cst.SimpleStatementLine] = {}
    kept_statements: list[cst.BaseStatement] = []
    for statement in body[:-1]:
        target = _simple_assign(statement)
        if target is not None and _captured_expression(index, statement.body[0].value, keys, params, set(moved_locals), symbolic):  # type: ignore[attr-defined]
            moved_locals[target] = statement  # type: ignore[assignment]
        else:
            kept_statements.append(statement)
    moved_terms = [t for t in terms if _captured_expression(index, t, keys, params, set(moved_locals), symbolic)]
    kept_terms = [t for t in terms if not any(t is m for m in moved_terms)]
    if not moved_terms or not kept_terms:
        raise Skip(f"`{loss_name}` has no term that reads only the model's tensors beside one that reads the batch")
    still_read = {n.value for s in kept_statements for n in _reads(s) if isinstance(n, cst.Name)}
    still_read |= {n.value for t in kept_terms for n in _reads(t) if isinstance(n, cst.Name)}
    if still_read & set(moved_locals):
        raise Skip("a moved term is also used by the rest of the loss")
    # the layer's call: the captured tensors as inputs, the moved statements, add_loss, identity
    locals_for = _capture_locals(keys, _own_names(loss))
    mean_spelled = index.module.code_for_node(mean_call.func) if mean_call is not None else None
    tf_alias, base, new_import = _library(index, [symbolic[k][0] for k in keys], mean_spelled)
    known = set(moved_locals) | set(constants)
    read = {capture_key(r) for node in [*moved_locals.values(), *moved_terms] for r in _reads(node)}
    inlined: list[cst.BaseStatement] = [_assignment(p, v) for p, v in constants.items() if p in read]
    removed_functions: list[cst.FunctionDef] = []
    for target, statement in moved_locals.items():
        value = statement.body[0].value  # type: ignore[attr-defined]
        inlined += _inline(index, value, target, locals_for, known, removed_functions)
    sum_parts = []
    for term in moved_terms:
        callee = _callee(index, term)
        if callee is not None:
            name = callee.name.value
            inlined += _inline(index, term, name, locals_for, known, removed_functions)
            sum_parts.append(name)
        else:
            _check_free(index, term, locals_for, known)
            sum_parts.append(index.module.code_for_node(_renamed(term, locals_for)))
    named = removed_functions[0].name.value if removed_functions else next(iter(moved_locals), loss_name)
    layer = unique_name(class_name(named) + "Layer", {n.value for n in index.positions if isinstance(n, cst.Name)})
    unpack = cst.parse_statement(", ".join(locals_for[k] for k in keys) + " = inputs")
    added = cst.parse_statement(f"self.add_loss({tf_alias}({' + '.join(sum_parts)}))")
    doc = f"Adds the terms of `{loss_name}` computed from the model's own tensors to its losses."
    cls = identity_layer(layer, base, doc, [unpack, *inlined, added])
    # where the captured tensors are computed: the layer is applied right after the last one
    bindings = [symbolic[k][0] for k in keys]
    block = index.parent(bindings[0])
    if any(index.parent(b) is not block for b in bindings):
        raise Skip("the captured tensors are computed in different blocks")
    last = max(bindings, key=lambda b: index.range(b).start.line)
    spelled = ", ".join(sites.get(k, k) for k in keys)
    applied = cst.parse_statement(f"{spelled} = {layer}()({'[' + spelled + ']' if len(keys) > 1 else spelled})")
    if not _read_after(index, block, last, [sites.get(k, k) for k in keys], loss):
        raise Skip("nothing after the captured tensors reads them: a layer there would not be part of the model")
    rewritten_return = _rebuild(mean_call, kept_terms)
    metric_drops = _metric_drops(index, compiled, removed_functions, loss)

    class Rewrite(cst.CSTTransformer):
        def leave_SimpleStatementLine(
            self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
        ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement] | cst.RemovalSentinel:
            if original is last:
                return cst.FlattenSentinel([updated, applied])
            if any(original is s for s in moved_locals.values()):
                return cst.RemoveFromParent()
            if original is body[-1]:
                return updated.with_changes(body=[cst.Return(rewritten_return)])
            return updated

        def leave_List(self, original: cst.List, updated: cst.List) -> cst.BaseExpression:
            return _without(original, updated, metric_drops)

        def leave_Tuple(self, original: cst.Tuple, updated: cst.Tuple) -> cst.BaseExpression:
            return _without(original, updated, metric_drops)

        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
            if original is not compiled.compile:
                return updated
            args = [a for a in updated.args if not (a.keyword is not None and a.keyword.value == "metrics" and isinstance(a.value, (cst.List, cst.Tuple)) and not a.value.elements)]
            if len(args) < len(updated.args):
                args[-1] = args[-1].with_changes(comma=updated.args[-1].comma)
            return updated.with_changes(args=args)

    code = index.module.visit(Rewrite()).code
    code = _drop_unused_functions(code, [f.name.value for f in removed_functions])
    if compiled.factory is not None and isinstance(compiled.factory.func, cst.Name):
        code = _drop_unread_parameters(code, compiled.factory.func.value, set(sites) | set(constants))
    code = _insert_class(code, cls)
    return _add_import(code, new_import) if new_import else code


def identity_layer(name: str, base: str, doc: str, statements: list[cst.BaseStatement]) -> cst.ClassDef:
    """`class <name>(<base>)` whose `call` runs `statements` and returns its inputs unchanged."""
    cls = cst.parse_statement(f'class {name}({base}):\n    """{doc}"""\n\n    def call(self, inputs):\n        return inputs\n')
    assert isinstance(cls, cst.ClassDef) and isinstance(cls.body, cst.IndentedBlock)
    call = cls.body.body[-1]
    assert isinstance(call, cst.FunctionDef) and isinstance(call.body, cst.IndentedBlock)
    call = call.with_changes(body=call.body.with_changes(body=[*statements, *call.body.body]))
    return cls.with_changes(body=cls.body.with_changes(body=[*cls.body.body[:-1], call]))


def _without(original: cst.List | cst.Tuple, updated: cst.List | cst.Tuple, drops: list[cst.Element]) -> cst.BaseExpression:
    """The list or tuple without the elements `drops` (the last one left loses its comma)."""
    kept = [u for o, u in zip(original.elements, updated.elements) if not any(o is d for d in drops)]
    if len(kept) == len(updated.elements):
        return updated
    if kept and not isinstance(updated, cst.Tuple):
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return updated.with_changes(elements=kept)


def _unwrap_mean(index: SourceIndex, value: cst.BaseExpression) -> tuple[cst.Call | None, cst.BaseExpression]:
    """`K.mean(a + b)` -> (the mean call, `a + b`); anything else -> (None, value)."""
    if isinstance(value, cst.Call) and len(value.args) == 1 and value.args[0].keyword is None:
        if index.module.code_for_node(value.func).split(".")[-1] in ("mean", "reduce_mean"):
            return value, value.args[0].value
    return None, value


def _terms(value: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
        return [*_terms(value.left), *_terms(value.right)]
    return [value]


def _rebuild(mean_call: cst.Call | None, terms: list[cst.BaseExpression]) -> cst.BaseExpression:
    total = terms[0]
    for term in terms[1:]:
        total = cst.BinaryOperation(total, cst.Add(), term)
    if mean_call is None:
        return total
    return mean_call.with_changes(args=[mean_call.args[0].with_changes(value=total)])


def _simple_assign(statement: cst.BaseStatement) -> str | None:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        assign = statement.body[0]
        if isinstance(assign, cst.Assign) and len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name):
            return assign.targets[0].target.value
    return None


def _callee(index: SourceIndex, value: cst.BaseExpression) -> cst.FunctionDef | None:
    if isinstance(value, cst.Call):
        return _named_function(index, value.func, value)
    return None


def _captured_expression(
    index: SourceIndex,
    value: cst.BaseExpression,
    keys: list[str],
    params: set[str],
    moved: set[str],
    symbolic: dict[str, list[cst.SimpleStatementLine]],
) -> bool:
    """`value` reads captured tensors (itself, through moved locals or a function of the file
    that reads only them) and none of the loss's arguments or other locals."""
    callee = _callee(index, value)
    if callee is not None:
        inner = direct_captures(index, callee, symbolic)
        callee_params = {p.name.value for p in callee.params.params}
        reads_params = any(isinstance(r, cst.Name) and r.value in callee_params for r in _reads(callee.body))
        return bool(inner) and set(inner) <= set(keys) and not reads_params
    read = [capture_key(r) for r in _reads(value)]
    if any(k in params for k in read if k is not None):
        return False
    return any(k in keys or k in moved for k in read if k is not None)


def _capture_locals(keys: list[str], taken: set[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for key in keys:
        name = key.removeprefix("self.")
        while name in taken or name in names.values() or name in ("inputs", "self"):
            name += "_"
        names[key] = name
    return names


def _renamed(node: cst.CSTNode, locals_for: dict[str, str]) -> cst.CSTNode:
    """`node` with its captured tensors read from the layer's inputs."""

    class Rename(cst.CSTTransformer):
        def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
            key = capture_key(original)
            return cst.Name(locals_for[key]) if key in locals_for else updated

        def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
            return cst.Name(locals_for[original.value]) if original.value in locals_for else updated

    return node.visit(Rename())  # type: ignore[return-value]


def _inline(
    index: SourceIndex,
    value: cst.BaseExpression,
    target: str,
    locals_for: dict[str, str],
    moved: set[str],
    removed: list[cst.FunctionDef],
) -> list[cst.BaseStatement]:
    """Statements computing `target = value` in the layer: a call of a function of the file that
    reads only captured tensors is replaced by that function's body."""
    callee = _callee(index, value)
    if callee is None:
        _check_free(index, value, locals_for, moved)
        return [_assignment(target, _renamed(value, locals_for))]
    statements = list(callee.body.body) if isinstance(callee.body, cst.IndentedBlock) else []
    if not statements or not isinstance(statements[-1], cst.SimpleStatementLine) or not isinstance(statements[-1].body[0], cst.Return):
        raise Skip(f"`{callee.name.value}` does not end in a return")
    own = _own_names(callee)
    lines: list[cst.BaseStatement] = []
    for statement in statements[:-1]:
        if _simple_assign(statement) is None:
            raise Skip(f"`{callee.name.value}` does more than assign and return")
        _check_free(index, statement, locals_for, own)
        lines.append(_renamed(statement, locals_for))  # type: ignore[arg-type]
    result = statements[-1].body[0].value  # type: ignore[attr-defined]
    if result is None:
        raise Skip(f"`{callee.name.value}` returns nothing")
    _check_free(index, result, locals_for, own)
    removed.append(callee)
    if isinstance(result, cst.Name) and result.value == target:
        return lines
    return [*lines, _assignment(target, _renamed(result, locals_for))]


def _assignment(target: str, value: cst.CSTNode) -> cst.SimpleStatementLine:
    assert isinstance(value, cst.BaseExpression)
    return cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(target))], value)])


def _check_free(index: SourceIndex, node: cst.CSTNode, locals_for: dict[str, str], own: set[str]) -> None:
    """What moves into a module-level layer may read only captured tensors, the locals that move
    with it (`own`) and module-level names."""
    module_names = _module_names(index)
    for read in _reads(node):
        key = capture_key(read)
        if key is None or key in locals_for or key in own or key in module_names or key in _BUILTINS:
            continue
        if isinstance(read, cst.Name) and isinstance(index.parent(read), cst.AssignTarget):
            continue
        raise Skip(f"the moved term reads `{key}`, which the layer could not see")


def _module_names(index: SourceIndex) -> set[str]:
    scope = index.scopes.get(index.module.body[0]) if index.module.body else None
    if scope is None:
        return set()
    return {a.name for a in scope.assignments}


def _read_after(index: SourceIndex, block: cst.CSTNode | None, last: cst.CSTNode, keys: list[str], loss: cst.FunctionDef) -> bool:
    """Some statement after `last` in the same function (or module) reads a captured tensor
    outside the loss: the layer applied there is on the model's path."""
    if block is None:
        return False
    scope_owner = index.enclosing(cst.FunctionDef, last)
    after = index.range(last).end.line
    for node in index.positions:
        key = capture_key(node)
        if key not in keys or index.range(node).start.line <= after:
            continue
        if index.enclosing(cst.FunctionDef, node) is not scope_owner or isinstance(index.parent(node), cst.AssignTarget):
            continue
        current: cst.CSTNode | None = node
        while current is not None and current is not loss:
            current = index.parent(current)
        if current is None:
            return True
    return False


def _metric_drops(
    index: SourceIndex, compiled: CompiledLoss, removed: list[cst.FunctionDef], loss: cst.FunctionDef
) -> list[cst.Element]:
    """The metrics elements of the same compile call naming a function whose term moved; a
    metric reading the model's tensors otherwise cannot stay."""
    symbolic = symbolic_bindings(index)
    drops = []
    for other in compiled_losses(index):
        if other.compile is not compiled.compile or other.role != "metric":
            continue
        element = index.parent(other.arg)
        if any(other.function is r for r in removed):
            assert isinstance(element, cst.Element)
            drops.append(element)
        elif other.function is loss or captures(index, other.function, symbolic):
            raise Skip(f"the metric `{other.function.name.value}` reads the model's tensors too")
    return drops


def _drop_unused_functions(code: str, names: list[str]) -> str:
    index = SourceIndex(code)
    unused = []
    for name in names:
        reads = [n for n in index.positions if isinstance(n, cst.Name) and n.value == name and not isinstance(index.parent(n), cst.FunctionDef)]
        if not reads:
            unused += [f for f in functions(index) if f.name.value == name]

    class Drop(cst.CSTTransformer):
        def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef | cst.RemovalSentinel:
            return cst.RemoveFromParent() if any(original is f for f in unused) else updated

    return index.module.visit(Drop()).code if unused else code


def _drop_unread_parameters(code: str, name: str, params: set[str]) -> str:
    """The parameters `params` of the function `name` that its body no longer reads go, with
    what its calls pass for them (left as they are when some use of `name` is not a plain call)."""
    index = SourceIndex(code)
    function = next((f for f in functions(index) if f.name.value == name), None)
    if function is None:
        return code
    still = {r.value for r in _reads_deep(function.body) if isinstance(r, cst.Name)}
    drop = [p.name.value for p in function.params.params if p.name.value in params - still]
    positions = [i for i, p in enumerate(function.params.params) if p.name.value in drop]
    uses = [n for n in index.positions if isinstance(n, cst.Name) and n.value == name and n is not function.name]
    calls = [index.parent(n) for n in uses]
    if not drop or any(not (isinstance(c, cst.Call) and c.func is n) for c, n in zip(calls, uses)):
        return code

    class Drop(cst.CSTTransformer):
        def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
            if original is not function:
                return updated
            kept = [p for p in updated.params.params if p.name.value not in drop]
            if kept:
                kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            return updated.with_changes(params=updated.params.with_changes(params=kept))

        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
            if not any(original is c for c in calls):
                return updated
            args = [
                a
                for i, a in enumerate(updated.args)
                if not ((a.keyword is None and i in positions) or (a.keyword is not None and a.keyword.value in drop))
            ]
            if args:
                args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            return updated.with_changes(args=args)

    return index.module.visit(Drop()).code


def _reads_deep(node: cst.CSTNode) -> list[cst.Name]:
    """Every name read in `node`, nested functions included."""
    found: list[cst.Name] = []

    class Finder(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.append(name)

        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            attribute.value.visit(self)
            return False

        def visit_Param(self, param: cst.Param) -> bool:
            return False

    node.visit(Finder())
    return found


def _insert_class(code: str, cls: cst.ClassDef) -> str:
    """The class goes after the file's leading imports."""
    module = cst.parse_module(code)
    body = list(module.body)
    at = 0
    for position, node in enumerate(body):
        if isinstance(node, cst.SimpleStatementLine) and all(isinstance(s, (cst.Import, cst.ImportFrom, cst.Expr)) for s in node.body):
            at = position + 1
        else:
            break
    blank = [cst.EmptyLine(indent=False)] * 2
    body.insert(at, cls.with_changes(leading_lines=blank))
    if at + 1 < len(body):
        body[at + 1] = body[at + 1].with_changes(leading_lines=blank)
    return module.with_changes(body=body).code


def _add_import(code: str, statement: str) -> str:
    from codemods.edits import add_import

    return add_import(code, statement)


def _library(index: SourceIndex, bindings: list[cst.SimpleStatementLine], mean: str | None) -> tuple[str, str, str | None]:
    """How the file spells a mean (as the loss did, `tf.reduce_mean`, `keras.ops.mean` or the
    backend's `K.mean`), the Layer base class (next to the layer that computed a
    captured tensor: `keras.layers.Dense(...)(x)` -> `keras.layers.Layer`), and the import the
    base class needs when that layer was imported by name."""
    tf_alias = keras_alias = backend_alias = None
    for node in index.positions:
        if isinstance(node, cst.Import):
            for alias in node.names:
                dotted = index.module.code_for_node(alias.name)
                if dotted in ("tensorflow", "keras"):
                    bound = alias.evaluated_alias or dotted
                    tf_alias, keras_alias = (bound, keras_alias) if dotted == "tensorflow" else (tf_alias, bound)
        elif isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
            backend = next((a for a in node.names if a.evaluated_name == "backend"), None)
            if backend is not None and node.module is not None and "keras" in index.module.code_for_node(node.module):
                backend_alias = backend.evaluated_alias or "backend"
    if mean is None:
        mean = (
            f"{tf_alias}.reduce_mean" if tf_alias
            else f"{keras_alias}.ops.mean" if keras_alias
            else f"{backend_alias}.mean" if backend_alias
            else None
        )
    if mean is None:
        raise Skip("the file imports neither tensorflow, keras nor the Keras backend as a module")
    for binding in bindings:
        value = binding.body[0].value  # type: ignore[attr-defined]
        maker = value.func.func if isinstance(value, cst.Call) and isinstance(value.func, cst.Call) else None
        if isinstance(maker, cst.Attribute):
            return mean, index.module.code_for_node(maker.value) + ".Layer", None
        if isinstance(maker, cst.Name):
            names = sorted(n for n in qualified_names(index, maker) if "keras" in n)
            if names:
                module = names[0].rsplit(".", 1)[0]
                layer_names = {q for n in index.positions if isinstance(n, cst.Name) and n.value == "Layer" for q in qualified_names(index, n)}
                if layer_names == {f"{module}.Layer"}:
                    return mean, "Layer", None
                if not layer_names:
                    return mean, "Layer", f"from {module} import Layer"
    if keras_alias:
        return mean, f"{keras_alias}.layers.Layer", None
    return mean, f"{tf_alias}.keras.layers.Layer", None
