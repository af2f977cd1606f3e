"""GF501 removed-module-path.

A Keras 2 import from a module Keras 3 no longer has: ``keras.layers.convolutional``,
``.advanced_activations``, ``.merge``, ``.normalization``, ``.core``, ``.pooling``,
``.recurrent``, ``keras.engine`` (``topology``, ``training``, ``base_layer``),
``keras.utils.np_utils``, ``keras.utils.generic_utils``, ...; or a name a public module no longer
exports under that spelling (``from keras.optimizers import adam``). It is the first thing that
stops most Keras-2-era scripts.

Symptom: ``ModuleNotFoundError: No module named 'keras.layers.convolutional'`` (or
``ImportError: cannot import name 'adam' from 'keras.optimizers'``) at the import.

Detection: the program fails with that error at an ``import`` / ``from ... import`` of a
``keras.*`` module in the user's file, and Keras 3's public API has the imported names.

Fix: import each name from the public Keras 3 module that has it: the nearest enclosing module of
the old path first (``keras.layers.convolutional.Conv2D`` -> ``keras.layers.Conv2D``,
``keras.engine.topology.Layer`` -> ``keras.Layer``), then the other public modules. The modules
and their names come from ``codemods/keras_api_table.py``, generated from Keras itself, never
hand-listed. A name that changed only its case (``adam`` -> ``Adam``) is imported under its old
name (``Adam as adam``) so the code using it is unchanged. ``keras.layers.merge._Merge``, Keras 2's
private base of merge layers that WGAN-GP scripts subclass, has no public successor: it becomes a
small local class whose ``call`` passes the list of inputs to ``_merge_function``, as Keras 2's
did. Every such import in the file is rewritten at once: each would stop the program in turn.
A removed helper module imported by name (``from keras.utils import np_utils``, whose
``to_categorical`` ``keras.utils`` has) becomes the public module under that name (``from keras
import utils as np_utils``). Names Keras 3 does not have at all (``keras.wrappers.scikit_learn``: use SciKeras) are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.edits import add_import
from codemods.keras_api_table import PUBLIC
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex

_NO_MODULE = re.compile(r"No module named '(?P<module>keras(?:\.\w+)+)'")
_NO_NAME = re.compile(r"cannot import name '(?P<name>\w+)' from '(?P<module>keras(?:\.\w+)*)'")
# where a name is looked for when no enclosing module of the old path has it
SEARCH = (
    "keras", "keras.layers", "keras.models", "keras.utils", "keras.optimizers", "keras.callbacks",
    "keras.losses", "keras.metrics", "keras.initializers", "keras.regularizers", "keras.constraints",
    "keras.activations", "keras.preprocessing.image", "keras.preprocessing.sequence", "keras.saving",
)  # fmt: skip
LOCAL_MERGE = "_Merge"
LOCAL_MERGE_CLASS = '''class _Merge(keras.layers.Layer):
    """Keras 2's `keras.layers.merge._Merge`, which Keras 3 does not have: `call` passes the list of
    inputs to `_merge_function`, as Keras 2's did."""

    def call(self, inputs):
        return self._merge_function(inputs)
'''
# names other GF5xx rules replace (Keras 1 `merge`): not imports to redirect
CLAIMED = {"merge", "Merge"}


@dataclass(frozen=True)
class PublicImports(Plan):
    """The legacy import at `statement` (and every other one in the file) imports its names from
    their public Keras 3 modules."""

    statement: Span

    def describe(self) -> str:
        return "public-imports: legacy keras imports take their names from public Keras 3 modules"


def public_module(module: str, name: str) -> tuple[str, str] | None:
    """(public module, public name) for `from module import name`, or None when Keras 3 has none.
    The module itself when it still exports the name."""
    parts = module.split(".")
    if name.endswith("_utils") and module in PUBLIC and len(parts) > 1 and name not in PUBLIC[module]:
        # a removed helper module (`keras.utils.np_utils`) whose functions the public module has
        return ".".join(parts[:-1]), parts[-1]
    enclosing = [".".join(parts[:n]) for n in range(len(parts), 0, -1)]
    for candidate in (*enclosing, *SEARCH):
        if name in PUBLIC.get(candidate, ()):
            return candidate, name
    for candidate in enclosing:
        for public in PUBLIC.get(candidate, ()):
            if public.lower() == name.lower():
                return candidate, public
    return None


def dotted(node: cst.BaseExpression | None) -> str:
    """`a.b.c` for a Name or Attribute chain, "" for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted(node.value)}.{node.attr.value}"
    return ""


def _legacy(node: cst.ImportFrom) -> str | None:
    """The module of a `from keras... import` that needs rewriting."""
    if node.relative or isinstance(node.names, cst.ImportStar):
        return None
    module = dotted(node.module)
    if module != "keras" and not module.startswith("keras."):
        return None
    for alias in node.names:
        name = dotted(alias.name)
        if name in CLAIMED:
            continue
        if name == LOCAL_MERGE and module not in PUBLIC:
            return module
        target = public_module(module, name)
        if target is not None and target != (module, name):
            return module
    return None


def after_imports(code: str, definition: str) -> str:
    """`definition` placed after the file's leading imports, two blank lines around it."""
    module = cst.parse_module(code)
    statement = cst.parse_statement(definition)
    assert isinstance(statement, cst.ClassDef)
    body = list(module.body)
    position = 0
    for position, node in enumerate(body):
        is_import = isinstance(node, cst.SimpleStatementLine) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in node.body)
        is_docstring = position == 0 and isinstance(node, cst.SimpleStatementLine) and isinstance(node.body[0], cst.Expr)
        if not (is_import or is_docstring):
            break
    else:
        position = len(body)
    blank = cst.EmptyLine()
    body.insert(position, statement.with_changes(leading_lines=[blank, blank]))
    if position + 1 < len(body):
        following = body[position + 1]
        own = [line for line in following.leading_lines if line.comment is not None]
        body[position + 1] = following.with_changes(leading_lines=[blank, blank, *own])
    return module.with_changes(body=body).code


def public_imports(code: str) -> str:
    """`code` with every legacy `from keras... import` taking its names from public Keras 3
    modules (unchanged when one of them needs the local `_Merge`, which only GF501 adds)."""
    rewriter = _Rewriter()
    rewritten = cst.parse_module(code).visit(rewriter).code
    return code if rewriter.local_merge else rewritten


def _imports_on_line(index: SourceIndex, line: int) -> list[cst.ImportFrom]:
    found: list[cst.ImportFrom] = []

    class Finder(cst.CSTVisitor):
        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            if index.range(node).start.line == line:
                found.append(node)

    index.module.visit(Finder())
    return found


class RemovedModulePath(FaultRule):
    code = "GF501"
    name = "removed-module-path"
    summary = "an import from a Keras 2 module path that Keras 3 removed"
    flavors = ("keras3",)

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is None or error.span is None or error.type not in ("ModuleNotFoundError", "ImportError"):
            return []
        match = _NO_MODULE.search(error.message) or _NO_NAME.search(error.message)
        if match is None:
            return []
        for node in _imports_on_line(index, error.span.line):
            module = dotted(node.module)
            if not module.startswith(match.group("module")) or isinstance(node.names, cst.ImportStar):
                continue
            names = [dotted(a.name) for a in node.names]
            moved = {n: public_module(module, n) for n in names if n not in CLAIMED}
            missing = [n for n, target in moved.items() if target is None and n != LOCAL_MERGE]
            line, col = error.span.line, error.span.col + 1
            if missing:
                hint = "; for the scikit-learn wrappers use SciKeras" if "scikit_learn" in module else ""
                return [self.fault(line, col, f"`{module}` has no {', '.join(missing)} in Keras 3{hint}")]
            if _legacy(node) is None:
                continue
            targets = sorted({t[0] for t in moved.values() if t is not None} | ({"a local class"} if LOCAL_MERGE in moved else set()))
            message = f"`from {module} import {', '.join(names)}` no longer works in Keras 3: import from {', '.join(targets)}"
            return [self.fault(line, col, message, repairs=(PublicImports(index.span_of(node)),), explains_error=True)]
        return []

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, PublicImports):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        node = index.node_at(plan.statement, cst.ImportFrom)
        if not isinstance(node, cst.ImportFrom) or _legacy(node) is None:
            raise Skip(f"no legacy keras import at line {plan.statement.line}")
        rewriter = _Rewriter()
        module = index.module.visit(rewriter)
        code = module.code
        if rewriter.local_merge:
            if "class _Merge(" in code:
                raise Skip("the file already defines a class _Merge")
            if not any(isinstance(s, cst.Import) and any(dotted(a.name) == "keras" and a.asname is None for a in s.names)
                       for line in module.body if isinstance(line, cst.SimpleStatementLine) for s in line.body):
                code = add_import(code, "import keras")
            code = after_imports(code, LOCAL_MERGE_CLASS)
        return code

    EXAMPLES = (
        Example(
            before="from keras.layers.convolutional import Conv2D, UpSampling2D\nfrom keras.layers.advanced_activations import LeakyReLU\n",
            plan=PublicImports(Span(1, 0, 1, 59)),
            after="from keras.layers import Conv2D, UpSampling2D\nfrom keras.layers import LeakyReLU\n",
        ),
        Example(
            before="from keras.engine.topology import Layer, InputSpec\nfrom keras.optimizers import adam\n",
            plan=PublicImports(Span(1, 0, 1, 50)),
            after="from keras import Layer, InputSpec\nfrom keras.optimizers import Adam as adam\n",
        ),
        Example(
            before="from keras.utils.np_utils import to_categorical\nfrom keras.engine.training import Model as KModel\n",
            plan=PublicImports(Span(1, 0, 1, 47)),
            after="from keras.utils import to_categorical\nfrom keras import Model as KModel\n",
        ),
        Example(
            before="from keras.utils import np_utils\ny = np_utils.to_categorical(labels, 10)\n",
            plan=PublicImports(Span(1, 0, 1, 32)),
            after="from keras import utils as np_utils\ny = np_utils.to_categorical(labels, 10)\n",
        ),
        Example(
            before="import numpy as np\nfrom keras.layers.merge import _Merge\nfrom keras import backend as K\n",
            plan=PublicImports(Span(2, 0, 2, 37)),
            after="import numpy as np\nfrom keras import backend as K\nimport keras\n\n\n" + LOCAL_MERGE_CLASS,
        ),
    )
    UNCHANGED = (
        Example(
            before="from keras.layers import Conv2D\nfrom keras.optimizers import Adam\n",
            plan=PublicImports(Span(1, 0, 1, 31)),
            note="public Keras 3 imports",
        ),
        Example(
            before="from keras.wrappers.scikit_learn import KerasClassifier\n",
            plan=PublicImports(Span(1, 0, 1, 55)),
            note="Keras 3 has no KerasClassifier",
        ),
    )


class _Rewriter(cst.CSTTransformer):
    """Every legacy `from keras... import` becomes one import per public module."""

    def __init__(self) -> None:
        self.local_merge = False

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.FlattenSentinel[cst.SimpleStatementLine] | cst.RemovalSentinel:
        if len(updated.body) != 1 or not isinstance(updated.body[0], cst.ImportFrom):
            return updated
        node = updated.body[0]
        module = _legacy(node)
        if module is None or isinstance(node.names, cst.ImportStar):
            return updated
        groups: dict[str, list[cst.ImportAlias]] = {}
        for alias in node.names:
            name = dotted(alias.name)
            bound = alias.asname.name if alias.asname is not None else None
            if name == LOCAL_MERGE and name not in PUBLIC.get(module, ()):
                self.local_merge = True
                continue
            target = None if name in CLAIMED else public_module(module, name)
            if target is None:
                groups.setdefault(module, []).append(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT))
                continue
            public, new_name = target
            asname = alias.asname
            if new_name != name and bound is None:
                asname = cst.AsName(name=cst.Name(name))
            groups.setdefault(public, []).append(cst.ImportAlias(name=cst.Name(new_name), asname=asname))
        statements = []
        for position, (target_module, aliases) in enumerate(groups.items()):
            statement = cst.parse_statement(f"from {target_module} import x")
            assert isinstance(statement, cst.SimpleStatementLine)
            imported = statement.body[0]
            assert isinstance(imported, cst.ImportFrom)
            line = statement.with_changes(body=[imported.with_changes(names=aliases)])
            if position == 0:
                line = line.with_changes(leading_lines=updated.leading_lines, trailing_whitespace=updated.trailing_whitespace)
            statements.append(line)
        if not statements:
            return cst.RemoveFromParent()
        return cst.FlattenSentinel(statements) if len(statements) > 1 else statements[0]
