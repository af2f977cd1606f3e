"""Which recorded variable creations are faults, and whose: the runtime half of GF302 and GF303.

The probe records, for each variable made while a tf.function was traced, while Keras called
user code back (a Lambda's function, a loss) or while a user class's method ran, the user frames
that led to it (`Evidence.creations`). A creation is a fault when
- the program failed with TensorFlow's "only supports singleton tf.Variables" error (or tf-keras's
  "Variables were created within a Lambda layer") and the creation is where that error points, or
- no trace was involved and the same place made variables in more than one outermost call, from
  a user class's method other than `__init__`/`build` (new weights on every eager call: silent).

Its owner is found walking the stack outward from the innermost user frame: a method of a Keras
subclass of the file (not `__init__` or `build`), or a method of another class of the file that
TensorFlow or Keras called (a metric's `update_state`, a `Loss`'s `call`, a tf.function method),
makes it GF302's, with that class; a function
that TensorFlow or Keras called (a tf.function's Python function, a loss, a Lambda's function)
makes it GF303's, with that function. Library-free: evidence is plain data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from codemods.tf_functions import enclosing_class, functions, is_keras_subclass
from graphfix.ftypes import Creation, CreationFrame, Evidence
from graphfix.source import SourceIndex

SINGLETON = "tf.function only supports singleton tf.Variables"
LAMBDA_VARIABLES = "were created within a Lambda layer"
ONCE = ("__init__", "build")  # where a class creates its state once
_FRAME = re.compile(r'File "([^"]+)", line (\d+), in (\S+)')


@dataclass(frozen=True)
class Site:
    """A faulty creation and its owner: a class method (GF302) or a function (GF303)."""

    creation: Creation
    line: int  # the innermost user line that made the variables
    col: int
    owner_class: str | None  # GF302: the Keras subclass whose method made them
    method: str | None  # ... and that method, or the function (GF303) that owns the creation
    function: cst.FunctionDef | None  # the owning method or function in the source
    silent: bool = False  # found without an error: new weights on every eager call


def creation_error(evidence: Evidence) -> bool:
    """The program failed because variables were created where they may not be."""
    error = evidence.error
    return error is not None and (SINGLETON in error.message or LAMBDA_VARIABLES in error.message)


def faulty_sites(evidence: Evidence, index: SourceIndex) -> list[Site]:
    """The faulty creations of the evidence, each with its owner, one per (owner, line)."""
    creations = _faulty(evidence)
    sites: dict[tuple[str | None, str | None, int], Site] = {}
    for creation in creations:
        site = _owner(index, creation, silent=not creation_error(evidence))
        if site is not None:
            sites.setdefault((site.owner_class, site.method, site.line), site)
    return list(sites.values())


def _faulty(evidence: Evidence) -> list[Creation]:
    error = evidence.error
    if error is not None and SINGLETON in error.message:
        # the message quotes library frames too: keep those of the program's file, known as the
        # file whose quoted frames match recorded user frames
        quoted = [(path, int(line), name) for path, line, name in _FRAME.findall(error.message)]
        known = {_where(f) for c in evidence.creations for f in c.stack}
        files = {path for path, line, name in quoted if (line, name) in known}
        # the traceback's innermost program line is where the traced call started: outermost
        lines = [error.span.line] if error.span is not None else []
        lines += [line for path, line, _ in quoted if path in files]
        traced = [c for c in evidence.creations if c.traced]
        for line in reversed(lines):  # the creations below the innermost quoted frame that made any
            found = [c for c in traced if any(_where(f)[0] == line for f in c.stack)]
            if found:
                return found
        return []
    if error is not None and LAMBDA_VARIABLES in error.message:
        at = error.span.line if error.span is not None else None
        # tf-keras builds functional models in a graph: a Lambda's function may be seen as traced
        return [c for c in evidence.creations if (c.callback or c.traced) and any(_where(f)[0] == at for f in c.stack)]
    if error is None:
        return [c for c in evidence.creations if not c.traced and c.calls > 1 and _in_method(c)]
    return []


def _where(frame: CreationFrame) -> tuple[int, str]:
    return (frame.span.line if frame.span is not None else 0, frame.function)


def _in_method(creation: Creation) -> bool:
    for frame in creation.stack:
        if frame.cls:
            return frame.function not in ONCE
    return False


def _owner(index: SourceIndex, creation: Creation, silent: bool) -> Site | None:
    site = creation.site
    if site.span is None:
        return None
    line, col = site.span.line, site.span.col
    for frame in creation.stack:
        if frame.span is None or frame.function == "<module>":
            return None
        function = function_at(index, frame.function, frame.span.line)
        if frame.cls and function is not None:
            cls = enclosing_class(index, function)
            if cls is not None and cls.name.value == frame.cls and is_keras_subclass(index, cls):
                if frame.function in ONCE:
                    return None  # state made once, where it belongs (a first trace may build it)
                return Site(creation, line, col, frame.cls, frame.function, function, silent)
            if cls is not None and cls.name.value == frame.cls and frame.entry and frame.function not in ONCE:
                # a method TensorFlow or Keras calls (a metric's `update_state`, a loss's `call`, a
                # tf.function method of a trainer): its object owns the state, made in `__init__`
                return Site(creation, line, col, frame.cls, frame.function, function, silent)
        if frame.entry and not frame.cls:
            return Site(creation, line, col, None, frame.function, function, silent)
    return None


def function_at(index: SourceIndex, name: str, line: int) -> cst.FunctionDef | None:
    """The innermost function called `name` whose definition covers `line`."""
    best = None
    for function in functions(index):
        if function.name.value != name:
            continue
        rng = index.range(function)
        if rng.start.line <= line <= rng.end.line and (best is None or index.range(best).start.line < rng.start.line):
            best = function
    return best


def statement_at(index: SourceIndex, function: cst.FunctionDef, line: int) -> cst.SimpleStatementLine | None:
    """The statement directly in `function`'s body that starts at `line`."""
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine) and index.range(statement).start.line == line:
            return statement
    return None
