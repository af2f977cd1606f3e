"""Layers constructed in a loop of `call` (part of GF302): one list of sub-layers, made in `__init__`.

`for width in self.widths: x = Dense(width)(x)` in `call` makes new layers on every call (or
fails with the singleton-variable error once traced), like any construction in `call`; hoisting
each construction into `__init__` does not work, since the constructor reads the loop's variable.
The repair makes the loop's layers once, as a list built by the same loop in `__init__`
(`self.dense_layers = [Dense(width) for width in self.widths]`), and the loop in `call` walks
that list (zipped with what it walked before when its variable is read elsewhere). The layers
are the same ones the first call made, now created once and tracked (Keras tracks lists of
layers kept on a layer). Applies when the loop's iterable reads nothing of `call` (only `self`,
literals and names from outside) and each constructor reads only the loop's variable besides.
Library-free: plain libcst.
"""

from __future__ import annotations

import libcst as cst

from codemods.base import Skip
from codemods.edits import all_names, unique_name
from codemods.tf_functions import calls_in, creates_layer, enclosing_class, functions, inside, is_keras_subclass, method
from graphfix.source import SourceIndex


def loop_constructions(index: SourceIndex, call: cst.FunctionDef) -> list[tuple[cst.For, list[cst.Call]]]:
    """The `for` loops of `call` with the layer constructions applied inside them."""
    found: list[tuple[cst.For, list[cst.Call]]] = []
    for node in index.positions:
        if not isinstance(node, cst.For) or not inside(index, node, call):
            continue
        made = [c for c in calls_in(node.body) if creates_layer(index, c) and isinstance(index.parent(c), cst.Call)]
        made = [c for c in made if _innermost_loop(index, c) is node]
        if made:
            found.append((node, made))
    return found


def _innermost_loop(index: SourceIndex, node: cst.CSTNode) -> cst.For | None:
    current = index.parent(node)
    while current is not None and not isinstance(current, (cst.For, cst.FunctionDef)):
        current = index.parent(current)
    return current if isinstance(current, cst.For) else None


def _names(node: cst.CSTNode) -> set[str]:
    """Names read in `node` (not attribute names or argument keywords)."""

    return {n.value for n in all_names(node)}


def _call_locals(index: SourceIndex, call: cst.FunctionDef) -> set[str]:
    names = {p.name.value for p in [*call.params.params, *call.params.kwonly_params]}
    for node in index.positions:
        if isinstance(node, cst.Name) and inside(index, node, call):
            parent = index.parent(node)
            if isinstance(parent, (cst.AssignTarget, cst.For, cst.AugAssign, cst.AnnAssign)) or isinstance(parent, (cst.Tuple, cst.Element)):
                names.add(node.value)
    return names - {"self"}


def _target_class(index: SourceIndex, class_name: str) -> tuple[cst.ClassDef, cst.FunctionDef, cst.FunctionDef]:
    for function in functions(index):
        cls = enclosing_class(index, function)
        if function.name.value == "call" and cls is not None and cls.name.value == class_name and is_keras_subclass(index, cls):
            init = method(cls, "__init__")
            if init is None:
                raise Skip(f"`{class_name}` has no `__init__` to make the layers in")
            return cls, function, init
    raise Skip(f"no Keras subclass `{class_name}` with a `call`")


def layers_per_loop(index: SourceIndex, class_name: str) -> str:
    """The rewrite (see the module docstring); `Skip` with the reason when it does not apply."""

    cls, call, init = _target_class(index, class_name)
    loops = loop_constructions(index, call)
    if not loops:
        raise Skip(f"`{class_name}.call` constructs no layer in a loop")
    made_in_loops = {id(c) for _, made in loops for c in made}
    if any(creates_layer(index, c) and id(c) not in made_in_loops for c in calls_in(call.body)):
        raise Skip("`call` also constructs layers outside its loops")
    local = _call_locals(index, call)
    taken = {n.value for n in index.positions if isinstance(n, cst.Name) and inside(index, n, cls)}
    attributes = {
        n.attr.value for n in index.positions if isinstance(n, cst.Attribute) and isinstance(n.value, cst.Name) and n.value.value == "self"
    }
    created: list[cst.BaseStatement] = []
    replaced: dict[int, cst.BaseExpression] = {}
    loop_changes: dict[int, cst.For] = {}
    for loop, made in loops:
        variables = _names(loop.target)
        if _names(loop.iter) & local:
            raise Skip("the loop walks something `call` computes")
        walked = [loop.iter]
        layer_names = []
        for construction in made:
            if _names(construction) & (local - variables):
                raise Skip("a constructor reads `call`'s inputs or locals")
            kind = index.module.code_for_node(construction.func).split(".")[-1]
            base = "".join("_" + ch.lower() if ch.isupper() else ch for ch in kind).lstrip("_")
            attr = unique_name(f"{base}_layers", attributes)
            attributes.add(attr)
            name = unique_name(base, taken | local)
            taken.add(name)
            created.append(cst.parse_statement(
                f"self.{attr} = [{index.module.code_for_node(construction)} for {index.module.code_for_node(loop.target)} "
                f"in {index.module.code_for_node(loop.iter)}]"
            ))
            replaced[id(construction)] = cst.Name(name)
            walked.append(cst.parse_expression(f"self.{attr}"))
            layer_names.append(name)
        still_read = any(
            isinstance(n, cst.Name) and n.value in variables and not any(inside(index, n, c) for c in made)
            for n in index.positions
            if inside(index, n, loop.body)
        )
        if len(made) == 1 and not still_read:
            loop_changes[id(loop)] = loop.with_changes(target=cst.Name(layer_names[0]), iter=walked[1])
        else:
            walked_target = index.module.code_for_node(loop.target)
            if isinstance(loop.target, cst.Tuple) and not loop.target.lpar:
                walked_target = f"({walked_target})"
            target = ", ".join([walked_target, *layer_names])
            spelled = ", ".join(index.module.code_for_node(w) for w in walked)
            loop_changes[id(loop)] = loop.with_changes(
                target=cst.parse_expression(target), iter=cst.parse_expression(f"zip({spelled})")
            )

    class Rewrite(cst.CSTTransformer):
        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
            return replaced.get(id(original), updated)

        def leave_For(self, original: cst.For, updated: cst.For) -> cst.For:
            new = loop_changes.get(id(original))
            return updated.with_changes(target=new.target, iter=new.iter) if new is not None else updated

        def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
            if original is init and isinstance(updated.body, cst.IndentedBlock):
                return updated.with_changes(body=updated.body.with_changes(body=[*updated.body.body, *created]))
            return updated

    return index.module.visit(Rewrite()).code
