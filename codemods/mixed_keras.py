"""GF403 mixed-keras.

Keras 3 objects and tf-keras objects in one model. With TensorFlow 2.16+, ``import keras`` is
Keras 3 while ``tf.keras`` is tf-keras under ``TF_USE_LEGACY_KERAS=1`` (and Keras 3 otherwise);
``import tf_keras`` is always tf-keras. A layer of one calling a tensor of the other breaks.

Symptom: loud, e.g. ``AttributeError: 'tuple' object has no attribute 'rank'`` when a tf-keras
layer is called on a Keras 3 tensor, ``'KerasTensor' object has no attribute 'node'``; or
silent: a Keras 3 layer called on a tf-keras tensor is turned into anonymous TensorFlow ops, the
model reports 0 parameters, and the layer's weights are never trained.

Detection reads the construction trace: a layer of one Keras is called on a tensor made by the
other (the failing call is recorded too).

Fix: one namespace, the one the program runs under. Under ``TF_USE_LEGACY_KERAS=1`` the file's
``keras`` imports become ``tf_keras`` imports under the same names (``import tf_keras as
keras``, ``from tf_keras.layers import Dense``); under Keras 3 its ``tf_keras`` imports become
``keras`` imports under the same names. Every name the program uses stays bound, now to the
Keras the rest of the model uses.

A second shape: an object of one Keras handed whole to the other (a Keras 3 callback in a
tf-keras ``fit``: ``'...' object has no attribute '_implements_train_batch_hooks'``; a tf-keras
model added to a Keras 3 ``Sequential``: ``Only instances of `keras.Layer` can be added``).
Detected when the error names the object (its class's module, ``tf_keras.src...``, or a class
the file imports from the other Keras or derives from one) and the file imports both. The file is
unified to the Keras that received the object: its ``keras`` imports become ``tensorflow.keras``
imports (right under both flavours), or its ``tensorflow.keras`` imports and ``tf.keras`` names
become ``keras``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.edits import add_import
from graphfix.ftypes import Evidence, Fault, Plan
from graphfix.source import SourceIndex

NAMESPACE = {"keras3": "keras", "tf_keras": "tf_keras"}
LABEL = {"keras3": "Keras 3", "tf_keras": "tf-keras"}


@dataclass(frozen=True)
class ToTfKeras(Plan):
    """The program runs under tf-keras: the file's `keras` imports become `tf_keras` imports
    under the same names."""

    def describe(self) -> str:
        return "to tf-keras: the file's `keras` imports become `tf_keras` imports under the same names"


@dataclass(frozen=True)
class ToKeras3(Plan):
    """The program runs under Keras 3: the file's `tf_keras` imports become `keras` imports
    under the same names."""

    def describe(self) -> str:
        return "to Keras 3: the file's `tf_keras` imports become `keras` imports under the same names"


@dataclass(frozen=True)
class ToTensorflowKeras(Plan):
    """The program runs under tf-keras, which the file names `tensorflow.keras`: its `keras`
    imports become `tensorflow.keras` imports under the same names (right in both flavours)."""

    def describe(self) -> str:
        return "to tensorflow.keras: the file's `keras` imports become `tensorflow.keras` imports under the same names"


@dataclass(frozen=True)
class FromTensorflowKeras(Plan):
    """The model is Keras 3 while `tensorflow.keras` is tf-keras: the file's `tensorflow.keras`
    (and `tf_keras`) imports and `tf.keras.` names become Keras 3 (`keras`) under the same names."""

    def describe(self) -> str:
        return "to Keras 3: the file's `tensorflow.keras` imports and `tf.keras` names become `keras`"


PLANS: dict[str, Plan] = {"tf_keras": ToTfKeras(), "keras3": ToKeras3()}
# an object of each Keras, as Python names its class in a message
PACKAGE = {"keras3": re.compile(r"(?<![\w.])keras[/.]src\b"), "tf_keras": re.compile(r"\btf_keras[/.]src\b")}


class MixedKeras(FaultRule):
    code = "GF403"
    name = "mixed-keras"
    summary = "Keras 3 and tf-keras objects in one model"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        return self._mixed_tensors(evidence, index) or self._foreign_object(evidence, index)

    def _foreign_object(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        """The program failed on an object of one Keras handed to the other: the error names it
        (its class's module, `tf_keras.src...`, or, missing a private hook, a class the file
        imports from that Keras or derives from one), and the file imports both. The file is unified to the other Keras,
        the one that received the object and builds the model."""
        error = evidence.error
        if error is None or error.span is None or evidence.flavor not in LABEL:
            return []
        # a private hook missing on an object of the other Keras (its protocol differs); a public
        # attribute missing is an ordinary mistake, whichever Keras the object is of
        named = set(re.findall(r"'(\w+)' object has no attribute '_", error.message))
        for side in ("tf_keras", "keras3"):
            foreign = _foreign_names(index, side, evidence.flavor)
            if not foreign or not (PACKAGE[side].search(error.message) or named & foreign):
                continue
            target = "keras3" if side == "tf_keras" else "tf_keras"
            if not _foreign_names(index, target, evidence.flavor):
                continue  # one Keras only: not a mixture
            plan = _unify_plan(index, target, evidence.flavor)
            summary = re.sub(r" at 0x[0-9a-fA-F]+", "", error.summary)  # no address: messages compare across runs
            message = f"a {LABEL[side]} object is given to {LABEL[target]} ({summary}); the model is {LABEL[target]}"
            if plan is None:
                message += f" (no `{LABEL[side]}` import in this file to change)"
            return [self.fault(error.span.line, error.span.col + 1, message, repairs=(plan,) if plan else ())]
        return []

    def _mixed_tensors(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        faults: list[Fault] = []
        target = evidence.flavor
        foreign = NAMESPACE["keras3" if target == "tf_keras" else "tf_keras"]
        sites = [(c.span, c.flavor, c.inputs, f"layer (`{c.cls}`) is called on") for c in evidence.calls]
        sites += [(m.span, m.flavor, m.inputs + m.outputs, "model is built from") for m in evidence.models]
        for span, flavor, tensors, what in sites:
            if span is None or flavor not in LABEL:
                continue
            others = {t.flavor for tid in tensors if (t := evidence.tensors.get(tid)) is not None and t.flavor in LABEL}
            others.discard(flavor)
            if not others:
                continue
            message = f"a {LABEL[flavor]} {what} a {LABEL[others.pop()]} tensor; the program runs under {LABEL[target]}"
            repairs = (PLANS[target],) if target in PLANS and _imports(index, foreign) else ()
            if not repairs:
                message += f" (no `{foreign}` import in this file to change)"
            faults.append(self.fault(span.line, span.col + 1, message, repairs=repairs))
            break  # one mixed file is one fault: the fix is file-wide
        return faults

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if isinstance(plan, ToTensorflowKeras):
            return _to_tensorflow_keras(index)
        if isinstance(plan, FromTensorflowKeras):
            return _from_tensorflow_keras(index)
        if isinstance(plan, ToTfKeras):
            target = "tf_keras"
        elif isinstance(plan, ToKeras3):
            target = "keras3"
        else:
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        foreign = NAMESPACE["keras3" if target == "tf_keras" else "tf_keras"]
        wanted = NAMESPACE[target]
        changed = False

        class Imports(cst.CSTTransformer):
            def leave_Import(self, original: cst.Import, updated: cst.Import) -> cst.Import:
                nonlocal changed
                names = []
                for alias in updated.names:
                    dotted = index.module.code_for_node(alias.name)
                    root, _, rest = dotted.partition(".")
                    if root != foreign:
                        names.append(alias)
                        continue
                    if rest and alias.asname is None:
                        raise Skip(f"`import {dotted}` binds `{foreign}` itself; rewrite it by hand")
                    if ".src" in f".{rest}":
                        raise Skip(f"`{dotted}` is a private module path with no equivalent")
                    new_name = cst.parse_expression(wanted + (f".{rest}" if rest else ""))
                    asname = alias.asname or cst.AsName(name=cst.Name(foreign))
                    names.append(alias.with_changes(name=new_name, asname=asname))
                    changed = True
                return updated.with_changes(names=names)

            def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
                nonlocal changed
                if updated.module is None or updated.relative:
                    return updated
                dotted = index.module.code_for_node(updated.module)
                root, _, rest = dotted.partition(".")
                if root != foreign:
                    return updated
                if ".src" in f".{rest}":
                    raise Skip(f"`{dotted}` is a private module path with no equivalent")
                changed = True
                return updated.with_changes(module=cst.parse_expression(wanted + (f".{rest}" if rest else "")))

        module = index.module.visit(Imports())
        if not changed:
            raise Skip(f"no `{foreign}` import to change")
        return module.code

    EXAMPLES = (
        Example(
            before="import keras\nimport tensorflow as tf\nfrom keras.layers import Dense  # the head\n",
            plan=ToTfKeras(),
            after="import tf_keras as keras\nimport tensorflow as tf\nfrom tf_keras.layers import Dense  # the head\n",
        ),
        Example(
            before="import tf_keras\nimport tf_keras as tk\nfrom tf_keras import layers\n",
            plan=ToKeras3(),
            after="import keras as tf_keras\nimport keras as tk\nfrom keras import layers\n",
        ),
        Example(
            before="import keras\nimport keras as k3\nfrom keras.callbacks import Callback\n",
            plan=ToTensorflowKeras(),
            after="from tensorflow import keras\nfrom tensorflow import keras as k3\nfrom tensorflow.keras.callbacks import Callback\n",
        ),
        Example(
            before=(
                "import tensorflow as tf\nfrom tensorflow import keras as tk\nfrom tensorflow.keras.applications import VGG16\n"
                "base = tf.keras.Sequential([tk.layers.Dense(2)])\n"
            ),
            plan=FromTensorflowKeras(),
            after=(
                "import tensorflow as tf\nimport keras as tk\nfrom keras.applications import VGG16\nimport keras\n"
                "base = keras.Sequential([tk.layers.Dense(2)])\n"
            ),
        ),
    )
    UNCHANGED = (
        Example(
            before="import tensorflow as tf\nfrom tensorflow import keras\n",
            plan=ToTfKeras(),
            note="no Keras 3 import in the file: nothing to unify here",
        ),
        Example(
            before="import keras.layers\nx = keras.layers.Dense(2)\n",
            plan=ToTfKeras(),
            note="`import keras.layers` binds `keras` itself: renaming it needs more than one import",
        ),
        Example(
            before="import keras.callbacks\ncb = keras.callbacks.EarlyStopping()\n",
            plan=ToTensorflowKeras(),
            note="`import keras.callbacks` binds `keras` itself",
        ),
        Example(
            before="import numpy as np\nfrom keras import layers\n",
            plan=FromTensorflowKeras(),
            note="nothing names tf-keras through tensorflow",
        ),
    )


def _imports(index: SourceIndex, root: str) -> bool:
    for statement in index.module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for node in statement.body:
            if isinstance(node, cst.Import) and any(
                index.module.code_for_node(a.name).split(".")[0] == root for a in node.names
            ):
                return True
            if isinstance(node, cst.ImportFrom) and node.module is not None and not node.relative:
                if index.module.code_for_node(node.module).split(".")[0] == root:
                    return True
    return False


def _spellings(flavor: str, side: str) -> tuple[str, ...]:
    """The module roots that name Keras `side` when the program runs under `flavor`."""
    if side == "tf_keras":
        return ("tf_keras", "tensorflow.keras") if flavor == "tf_keras" else ("tf_keras",)
    return ("keras",) if flavor == "tf_keras" else ("keras", "tensorflow.keras")


def _of(dotted: str, roots: tuple[str, ...]) -> bool:
    return any(dotted == r or dotted.startswith(r + ".") for r in roots)


def _foreign_names(index: SourceIndex, side: str, flavor: str) -> set[str]:
    """Names of Keras `side` in the file: the classes and modules imported from it, the
    classes named through those modules (`keras.callbacks.EarlyStopping`), and the file's own
    classes derived from any of them."""
    roots = _spellings(flavor, side)
    modules: set[str] = set()
    names: set[str] = set()
    code = index.module.code_for_node
    for node in _import_nodes(index):
        if isinstance(node, cst.Import):
            for alias in node.names:
                if _of(code(alias.name), roots):
                    modules.add(alias.evaluated_alias or code(alias.name).split(".")[0])
        elif node.module is not None and not node.relative and not isinstance(node.names, cst.ImportStar):
            module = code(node.module)
            for alias in node.names:
                full = f"{module}.{alias.evaluated_name}"
                if _of(full, roots):
                    (names if alias.evaluated_name[:1].isupper() else modules).add(alias.evaluated_alias or alias.evaluated_name)
    if "tensorflow.keras" in roots:  # `tf.keras.<name>` through the file's TensorFlow alias
        modules |= {f"{a.evaluated_alias or 'tensorflow'}.keras" for a in _aliases_of(index, "tensorflow")}
    if not (modules or names):
        return set()

    def under(text: str) -> bool:
        return any(text.startswith(m + ".") for m in modules)

    class Finder(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            if under(code(node)):
                names.add(node.attr.value)

        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            for base in node.bases:
                text = code(base.value)
                if text in names or under(text):
                    names.add(node.name.value)

    index.module.visit(Finder())
    return names | modules


def _aliases_of(index: SourceIndex, module: str) -> list[cst.ImportAlias]:
    """The file's `import <module> [as x]` aliases."""
    return [
        a for n in _import_nodes(index) if isinstance(n, cst.Import) for a in n.names if index.module.code_for_node(a.name) == module
    ]


def _import_nodes(index: SourceIndex) -> list[cst.Import | cst.ImportFrom]:
    nodes: list[cst.Import | cst.ImportFrom] = []
    for statement in index.module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            nodes += [n for n in statement.body if isinstance(n, (cst.Import, cst.ImportFrom))]
    return nodes


def _unify_plan(index: SourceIndex, target: str, flavor: str) -> Plan | None:
    """The plan that makes the file's Keras `target` only, or None when nothing names the other."""
    if flavor == "tf_keras" and target == "tf_keras":
        return ToTfKeras() if _imports(index, "tf_keras") else ToTensorflowKeras() if _imports(index, "keras") else None
    if flavor == "tf_keras" and target == "keras3":
        return FromTensorflowKeras()
    return PLANS[flavor] if flavor == target and _imports(index, NAMESPACE["keras3" if target == "tf_keras" else "tf_keras"]) else None


def _to_tensorflow_keras(index: SourceIndex) -> str:
    """`import keras [as k]` -> `from tensorflow import keras [as k]`, `from keras.x import y` ->
    `from tensorflow.keras.x import y`."""
    code = index.module.code_for_node
    changed = False

    class Imports(cst.CSTTransformer):
        def leave_Import(self, original: cst.Import, updated: cst.Import) -> cst.BaseSmallStatement:
            nonlocal changed
            dotted = [code(a.name) for a in updated.names]
            if not any(_of(d, ("keras",)) for d in dotted):
                return updated
            if len(dotted) > 1:
                raise Skip("`import keras` shares its statement with other modules")
            alias = updated.names[0]
            parent, _, leaf = ("tensorflow." + dotted[0]).rpartition(".")
            if "." in dotted[0] and alias.asname is None:
                raise Skip(f"`import {dotted[0]}` binds `keras` itself; rewrite it by hand")
            changed = True
            return cst.ImportFrom(
                module=cst.parse_expression(parent),  # type: ignore[arg-type]
                names=[cst.ImportAlias(name=cst.Name(leaf), asname=alias.asname)],
            )

        def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
            nonlocal changed
            if updated.module is None or updated.relative or not _of(code(updated.module), ("keras",)):
                return updated
            if ".src" in code(updated.module):
                raise Skip(f"`{code(updated.module)}` is a private module path with no equivalent")
            changed = True
            return updated.with_changes(module=cst.parse_expression("tensorflow." + code(updated.module)))

    module = index.module.visit(Imports())
    if not changed:
        raise Skip("no `keras` import to change")
    return module.code


def _from_tensorflow_keras(index: SourceIndex) -> str:
    """`from tensorflow import keras [as k]` -> `import keras [as k]`, `from tensorflow.keras.x
    import y` -> `from keras.x import y`, `import tensorflow.keras as k` -> `import keras as k`,
    `tf.keras.x` -> `keras.x` (with `import keras`), and `tf_keras` imports as `ToKeras3` does."""
    code = index.module.code_for_node
    tf_aliases = {a.evaluated_alias or "tensorflow" for a in _aliases_of(index, "tensorflow")}
    changed = False
    needs_keras = False

    def to_keras(dotted: str) -> str:
        return "keras" + dotted.removeprefix("tensorflow.keras").removeprefix("tf_keras")

    class Rewrite(cst.CSTTransformer):
        def leave_Import(self, original: cst.Import, updated: cst.Import) -> cst.Import:
            nonlocal changed
            names = []
            for alias in updated.names:
                dotted = code(alias.name)
                if _of(dotted, ("tensorflow.keras", "tf_keras")):
                    if ".src" in dotted:
                        raise Skip(f"`{dotted}` is a private module path with no equivalent")
                    if alias.asname is None:
                        raise Skip(f"`import {dotted}` binds the package itself; rewrite it by hand")
                    alias = alias.with_changes(name=cst.parse_expression(to_keras(dotted)))
                    changed = True
                names.append(alias)
            return updated.with_changes(names=names)

        def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.BaseSmallStatement:
            nonlocal changed
            if updated.module is None or updated.relative or isinstance(updated.names, cst.ImportStar):
                return updated
            module = code(updated.module)
            if ".src" in module and _of(module, ("tensorflow.keras", "tf_keras")):
                raise Skip(f"`{module}` is a private module path with no equivalent")
            if module == "tensorflow" and any(a.evaluated_name == "keras" for a in updated.names):
                if len(updated.names) > 1:
                    raise Skip("`from tensorflow import keras` shares its statement with other names")
                changed = True
                return cst.Import(names=[cst.ImportAlias(name=cst.Name("keras"), asname=updated.names[0].asname)])
            if _of(module, ("tensorflow.keras", "tf_keras")):
                changed = True
                return updated.with_changes(module=cst.parse_expression(to_keras(module)))
            return updated

        def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
            nonlocal changed, needs_keras
            if isinstance(updated.value, cst.Name) and updated.value.value in tf_aliases and updated.attr.value == "keras":
                changed = needs_keras = True
                return cst.Name("keras")
            return updated

    module = index.module.visit(Rewrite())
    if not changed:
        raise Skip("no `tensorflow.keras` import or name to change")
    if needs_keras and "keras" not in _bound_at_top(module):
        return add_import(module.code, "import keras")
    return module.code


def _bound_at_top(module: cst.Module) -> set[str]:
    names: set[str] = set()
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for node in statement.body:
                if isinstance(node, (cst.Import, cst.ImportFrom)) and not isinstance(node.names, cst.ImportStar):
                    names |= {a.evaluated_alias or a.evaluated_name.split(".")[0] for a in node.names}
    return names
