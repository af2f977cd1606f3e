"""Finding `tf.function`-decorated functions, Keras Layer/Model subclasses and what their bodies
create: the static half of the GF3xx rules (the probe's errors and call records are the other)."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst
from libcst.metadata import QualifiedNameProvider

from graphfix.source import SourceIndex

KERAS_LAYER_MODULES = ("keras.layers.", "tensorflow.keras.layers.", "tf_keras.layers.", "keras.src.layers.")


def qualified_names(index: SourceIndex, node: cst.CSTNode) -> set[str]:
    found = index.wrapper.resolve(QualifiedNameProvider).get(node, set())
    return {q.name for q in (found() if callable(found) else found)}


def is_tf_function(index: SourceIndex, decorator: cst.Decorator) -> bool:
    target = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
    names = qualified_names(index, target)
    return any(n in ("tensorflow.function", "tensorflow.compat.v2.function") for n in names) or (
        not names and index.module.code_for_node(target) in ("tf.function", "function")
    )


def tf_function_decorator(index: SourceIndex, function: cst.FunctionDef) -> cst.Decorator | None:
    return next((d for d in function.decorators if is_tf_function(index, d)), None)


def functions(index: SourceIndex) -> Iterator[cst.FunctionDef]:
    for node in index.positions:
        if isinstance(node, cst.FunctionDef):
            yield node


def enclosing_class(index: SourceIndex, function: cst.FunctionDef) -> cst.ClassDef | None:
    parent = index.parent(function)
    if isinstance(parent, cst.IndentedBlock):
        owner = index.parent(parent)
        if isinstance(owner, cst.ClassDef):
            return owner
    return None


def is_keras_subclass(index: SourceIndex, cls: cst.ClassDef) -> bool:
    for base in cls.bases:
        names = qualified_names(index, base.value)
        text = index.module.code_for_node(base.value)
        if any(n.split(".")[-1] in ("Layer", "Model") and ("keras" in n) for n in names) or text.split(".")[-1] in ("Layer", "Model"):
            return True
    return False


def is_model_subclass(index: SourceIndex, cls: cst.ClassDef) -> bool:
    return any(index.module.code_for_node(b.value).split(".")[-1] == "Model" for b in cls.bases)


def creates_layer(index: SourceIndex, call: cst.Call) -> bool:
    """A call constructing a Keras layer (`Dense(...)`, `keras.layers.Conv2D(...)`)."""
    if not isinstance(call.func, (cst.Name, cst.Attribute)):
        return False  # `Dense(4)(x)` calls the layer; its inner call constructs it
    names = qualified_names(index, call.func)
    if any(n.startswith(KERAS_LAYER_MODULES) for n in names):
        return True
    text = index.module.code_for_node(call.func)
    return ".layers." in f".{text}" and text.split(".")[-1][:1].isupper()


def creates_variable(index: SourceIndex, call: cst.Call) -> bool:
    names = qualified_names(index, call.func)
    text = index.module.code_for_node(call.func)
    return "tensorflow.Variable" in names or text in ("tf.Variable", "self.add_weight", "keras.Variable")


def inside(index: SourceIndex, node: cst.CSTNode, outer: cst.CSTNode) -> bool:
    """`node` is a descendant of `outer`."""
    current = index.parent(node)
    while current is not None:
        if current is outer:
            return True
        current = index.parent(current)
    return False


def creates_optimizer(index: SourceIndex, call: cst.Call) -> bool:
    """`tf.keras.optimizers.Adam(...)`, `optimizers.SGD(...)`, `Adam(...)` imported from a Keras
    optimizers module."""
    if not isinstance(call.func, (cst.Name, cst.Attribute)):
        return False
    names = qualified_names(index, call.func) or {index.module.code_for_node(call.func)}
    return any(".optimizers." in f".{n}" and n.split(".")[-1][:1].isupper() for n in names)


def calls_in(node: cst.CSTNode) -> list[cst.Call]:
    found: list[cst.Call] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            found.append(call)

        def visit_FunctionDef(self, inner: cst.FunctionDef) -> bool:
            return inner is node  # not into nested functions

        def visit_Lambda(self, lam: cst.Lambda) -> bool:
            return False

    node.visit(Finder())
    return found


def method(cls: cst.ClassDef, name: str) -> cst.FunctionDef | None:
    if not isinstance(cls.body, cst.IndentedBlock):
        return None
    return next((s for s in cls.body.body if isinstance(s, cst.FunctionDef) and s.name.value == name), None)
