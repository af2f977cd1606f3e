"""GF204 layers-pop (silent).

``model.layers.pop()`` to drop a model's last layer, then ``model.layers[-1].output`` to reach
the layer before it (a new head on a trained network). ``model.layers`` is a fresh list on every
read in Keras 3 and in tf-keras (Sequential and functional alike), so ``pop()`` removes nothing:
``model.layers[-1]`` is still the old last layer and the new head is stacked on the old output.

Symptom: none. The program trains and predicts; the new head's kernel has the old output's width.

Detection: a statement ``<name>.layers.pop()`` (no argument, or ``-1``) that the program reached
(the probe's exception, if any, is raised after it).

Fix: drop the ``pop()`` and read one layer further back where the code meant the shortened list:
every later ``<name>.layers[-k]`` of the same block, up to the next assignment to ``<name>``,
becomes ``<name>.layers[-k-n]``, n the pops before it (a run of pops is one fault). A later read of ``<name>.layers`` in any other form (a loop, a
length, a positive index) would need the shortened list itself: the rewrite refuses.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.edits import rewrite
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex


@dataclass(frozen=True)
class ReadOneLayerBack(Plan):
    """Drop the no-op `<receiver>.layers.pop()` at `pop` and shift later negative indices by one."""

    pop: Span
    receiver: str

    drops_layers = True  # the new head no longer stacks on the old last layer

    def describe(self) -> str:
        return f"drop `{self.receiver}.layers.pop()`; later `{self.receiver}.layers[-k]` read `[-k-1]`"


class LayersPop(FaultRule):
    code = "GF204"
    name = "layers-pop"
    summary = "model.layers.pop() removes nothing: model.layers is a copy"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        stopped = error.span.line if error is not None and error.span is not None else None
        return self._faults(index, stopped)

    def detect_static(self, index: SourceIndex) -> list[Fault]:
        return self._faults(index, None)

    def _faults(self, index: SourceIndex, stopped: int | None) -> list[Fault]:
        faults = []
        seen: set[tuple[object, str]] = set()
        for call, receiver in _pops(index):
            block = index.parent(index.statement_of(call) or call)
            if (id(block), receiver) in seen:
                continue  # one fault per run of pops: its repair drops them all
            seen.add((id(block), receiver))
            span = index.span_of(call)
            if stopped is not None and stopped < span.line:
                continue  # the program stopped before the pop
            message = (
                f"`{receiver}.layers.pop()` removes nothing (`.layers` is a new list on every read): "
                f"`{receiver}.layers[-1]` is still the last layer"
            )
            faults.append(self.fault(span.line, span.col + 1, message, repairs=(ReadOneLayerBack(span, receiver),)))
        return faults

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, ReadOneLayerBack):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        found = [(call, receiver) for call, receiver in _pops(index) if index.span_of(call) == plan.pop]
        if not found or found[0][1] != plan.receiver:
            raise Skip("no `.layers.pop()` statement there")
        call = found[0][0]
        statement = index.statement_of(call)
        block = index.parent(statement) if statement is not None else None
        if not isinstance(statement, cst.SimpleStatementLine) or not isinstance(block, (cst.Module, cst.IndentedBlock)):
            raise Skip("the pop is not a statement of a block")
        later = list(block.body)[list(block.body).index(statement) + 1 :]
        replacements: dict[cst.CSTNode, cst.CSTNode] = {}
        removals: set[cst.CSTNode] = {statement}
        popped = 1
        for node in later:
            if _assigns(node, plan.receiver):
                break
            if any(index.statement_of(other) is node and name == plan.receiver for other, name in _pops(index)):
                removals.add(node)  # a later pop of the same model: one more layer back
                popped += 1
                continue
            for reads in _layer_reads(node, plan.receiver):
                shifted = _shifted(reads, popped)
                if shifted is None:
                    raise Skip(f"a later read of `{plan.receiver}.layers` needs the shortened list itself")
                replacements[reads] = shifted
        return rewrite(index, replacements, removals=removals)

    EXAMPLES = (
        Example(
            before="model.layers.pop()\nfeatures = model.layers[-1].output\nhead = Dense(3)(features)\n",
            plan=ReadOneLayerBack(Span(1, 0, 1, 18), "model"),
            after="features = model.layers[-2].output\nhead = Dense(3)(features)\n",
        ),
        Example(
            before="def trunk(net):\n    net.layers.pop()\n    feats = net.layers[-2].output\n    return feats\n",
            plan=ReadOneLayerBack(Span(2, 4, 2, 20), "net"),
            after="def trunk(net):\n    feats = net.layers[-3].output\n    return feats\n",
        ),
    )
    UNCHANGED = (
        Example(
            before="model.layers.pop()\nfor layer in model.layers:\n    layer.trainable = False\n",
            plan=ReadOneLayerBack(Span(1, 0, 1, 18), "model"),
            note="the loop wants the shortened list: dropping the pop alone would not give it",
        ),
    )


def _pops(index: SourceIndex) -> list[tuple[cst.Call, str]]:
    """`<name>.layers.pop()` / `.pop(-1)` calls that are whole expression statements."""
    if ".layers.pop(" not in index.source:
        return []
    found = []
    for node in index.positions:
        if not (isinstance(node, cst.Expr) and isinstance(node.value, cst.Call)):
            continue
        call = node.value
        func = call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "pop" and isinstance(func.value, cst.Attribute)):
            continue
        owner = func.value
        if owner.attr.value != "layers" or not isinstance(owner.value, cst.Name):
            continue
        if call.args and not (len(call.args) == 1 and _negative_literal(call.args[0].value) == 1):
            continue
        found.append((call, owner.value.value))
    return found


def _negative_literal(node: cst.BaseExpression) -> int | None:
    """k for the literal `-k`, else None."""
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus) and isinstance(node.expression, cst.Integer):
        return int(node.expression.value)
    return None


def _is_layers_of(node: cst.CSTNode, receiver: str) -> bool:
    return (
        isinstance(node, cst.Attribute)
        and node.attr.value == "layers"
        and isinstance(node.value, cst.Name)
        and node.value.value == receiver
    )


def _layer_reads(statement: cst.CSTNode, receiver: str) -> list[cst.CSTNode]:
    """Each `<receiver>.layers` read in the statement: the subscript around it, or the attribute."""
    reads: list[cst.CSTNode] = []

    class Visitor(cst.CSTVisitor):
        def visit_Subscript(self, node: cst.Subscript) -> bool:
            if _is_layers_of(node.value, receiver):
                reads.append(node)
                return False
            return True

        def visit_Attribute(self, node: cst.Attribute) -> None:
            if _is_layers_of(node, receiver):
                reads.append(node)

    statement.visit(Visitor())
    return reads


def _shifted(read: cst.CSTNode, popped: int) -> cst.CSTNode | None:
    """`x.layers[-k]` as `x.layers[-(k+popped)]`; None for any other read."""
    if not isinstance(read, cst.Subscript) or len(read.slice) != 1:
        return None
    element = read.slice[0].slice
    if not isinstance(element, cst.Index) or _negative_literal(element.value) is None:
        return None
    k = _negative_literal(element.value)
    assert k is not None
    value = cst.UnaryOperation(operator=cst.Minus(), expression=cst.Integer(str(k + popped)))
    return read.with_changes(slice=[read.slice[0].with_changes(slice=element.with_changes(value=value))])


def _assigns(statement: cst.CSTNode, name: str) -> bool:
    """The statement binds `name` (an assignment target, a for target, a with-as)."""
    bound = False

    class Visitor(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            nonlocal bound
            bound = bound or any(isinstance(n, cst.Name) and n.value == name for n in _names(node.target))

    statement.visit(Visitor())
    return bound


def _names(node: cst.CSTNode) -> list[cst.CSTNode]:
    if isinstance(node, (cst.Tuple, cst.List)):
        return [n for element in node.elements for n in _names(element.value)]
    return [node]
