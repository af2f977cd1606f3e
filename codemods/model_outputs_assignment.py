"""GF507 model-outputs-assignment.

A Keras 2 feature extractor made by assigning a model's outputs:
``vgg.outputs = [vgg.layers[9].output]``. Keras 2 let the assignment rewire the model, so that
calling ``vgg(img)`` returned the layer's activations; Keras 3's ``outputs`` is a read-only
property.

Symptom: ``AttributeError: property 'outputs' of 'Functional' object has no setter`` (Python
before 3.11: ``can't set attribute``) at the assignment.

Detection: the program fails with that error at a statement ``<model>.outputs = <value>`` of the
user's file.

Fix: the assignment builds the truncated model instead, ``vgg = Model(vgg.inputs,
vgg.layers[9].output)`` (a one-element list becomes its element, so the model has one output
tensor as Keras 2's had), from the same inputs to the same layer outputs, sharing the layers and
their weights: calling it returns what the rewired Keras 2 model returned. ``Model`` is the name
the file already imports (``keras.Model`` when it imports ``keras``, also ``from tensorflow import
keras``; else ``from keras.models
import Model`` is added).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.edits import add_import
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex

_NO_SETTER = re.compile(r"property 'outputs' of '\w+' object has no setter|can't set attribute 'outputs'")


@dataclass(frozen=True)
class TruncatedModel(Plan):
    """The `<model>.outputs = ...` assignment at `statement` builds `Model(<model>.inputs, ...)`."""

    statement: Span

    def describe(self) -> str:
        return "truncated-model: `model = Model(model.inputs, outputs)` instead of assigning `model.outputs`"


def outputs_assignment(node: cst.CSTNode | None) -> tuple[cst.BaseExpression, cst.BaseExpression] | None:
    """(model expression, assigned outputs) of `<model>.outputs = <value>`, or None."""
    if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1 or not isinstance(node.body[0], cst.Assign):
        return None
    assign = node.body[0]
    if len(assign.targets) != 1:
        return None
    target = assign.targets[0].target
    if not isinstance(target, cst.Attribute) or target.attr.value != "outputs":
        return None
    value = assign.value
    if isinstance(value, (cst.List, cst.Tuple)) and len(value.elements) == 1 and not isinstance(value.elements[0], cst.StarredElement):
        value = value.elements[0].value
    return target.value, value


def model_name(module: cst.Module) -> str | None:
    """How the file names keras.Model: `Model` when imported, `keras.Model` when `keras` is, else None."""
    for line in module.body:
        if not isinstance(line, cst.SimpleStatementLine):
            continue
        for statement in line.body:
            if isinstance(statement, cst.ImportFrom) and not isinstance(statement.names, cst.ImportStar):
                source = module.code_for_node(statement.module) if statement.module else ""
                for alias in statement.names:
                    bound = module.code_for_node(alias.asname.name) if alias.asname else module.code_for_node(alias.name)
                    if source.split(".")[0] in ("keras", "tensorflow") and module.code_for_node(alias.name) == "Model":
                        return bound
                    if source == "tensorflow" and module.code_for_node(alias.name) == "keras":
                        return f"{bound}.Model"
            if isinstance(statement, cst.Import):
                for alias in statement.names:
                    if module.code_for_node(alias.name) == "keras" and alias.asname is None:
                        return "keras.Model"
    return None


class ModelOutputsAssignment(FaultRule):
    code = "GF507"
    name = "model-outputs-assignment"
    summary = "model.outputs = [...] (a Keras 2 feature extractor): outputs has no setter in Keras 3"
    flavors = ("keras3",)

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is None or error.span is None or error.type != "AttributeError" or not _NO_SETTER.search(error.message):
            return []
        for node in _statements_on_line(index, error.span.line):
            found = outputs_assignment(node)
            if found is None:
                continue
            model = index.module.code_for_node(found[0])
            outputs = index.module.code_for_node(found[1])
            message = f"Keras 3 models cannot be rewired by assigning `{model}.outputs`: build `Model({model}.inputs, {outputs})`"
            return [self.fault(error.span.line, error.span.col + 1, message, repairs=(TruncatedModel(index.span_of(node)),), explains_error=True)]
        return []

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, TruncatedModel):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        node = index.node_at(plan.statement, cst.SimpleStatementLine)
        found = outputs_assignment(node)
        if node is None or found is None:
            raise Skip(f"no `<model>.outputs = ...` at line {plan.statement.line}")
        name = model_name(index.module)
        code_name = name or "Model"
        model = index.module.code_for_node(found[0])
        outputs = index.module.code_for_node(found[1])
        replacement = cst.parse_statement(f"{model} = {code_name}({model}.inputs, {outputs})")
        target = node

        class Replace(cst.CSTTransformer):
            def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine) -> cst.SimpleStatementLine:
                if original is target:
                    return replacement.with_changes(leading_lines=updated.leading_lines, trailing_whitespace=updated.trailing_whitespace)  # type: ignore[return-value]
                return updated

        code = index.module.visit(Replace()).code
        return code if name is not None else add_import(code, "from keras.models import Model")

    EXAMPLES = (
        Example(
            before="from keras.applications import VGG19\nfrom keras.models import Model\n"
            "vgg = VGG19(weights=None, include_top=False)\n# block 3\nvgg.outputs = [vgg.layers[9].output]\n",
            plan=TruncatedModel(Span(5, 0, 5, 36)),
            after="from keras.applications import VGG19\nfrom keras.models import Model\n"
            "vgg = VGG19(weights=None, include_top=False)\n# block 3\nvgg = Model(vgg.inputs, vgg.layers[9].output)\n",
        ),
        Example(
            before="import keras\nclass Loss:\n    def __init__(self):\n        self.net = keras.applications.VGG16(include_top=False)\n"
            "        self.net.outputs = [self.net.get_layer('block2_conv2').output, self.net.layers[3].output]\n",
            plan=TruncatedModel(Span(5, 8, 5, 97)),
            after="import keras\nclass Loss:\n    def __init__(self):\n        self.net = keras.applications.VGG16(include_top=False)\n"
            "        self.net = keras.Model(self.net.inputs, [self.net.get_layer('block2_conv2').output, self.net.layers[3].output])\n",
        ),
        Example(
            before="from tensorflow.keras.applications import ResNet50\nbase = ResNet50(weights=None)\nbase.outputs = [base.layers[-2].output]\n",
            plan=TruncatedModel(Span(3, 0, 3, 39)),
            after="from tensorflow.keras.applications import ResNet50\nfrom keras.models import Model\nbase = ResNet50(weights=None)\n"
            "base = Model(base.inputs, base.layers[-2].output)\n",
        ),
    )
    UNCHANGED = (
        Example(
            before="from keras.models import Model\nfeatures = Model(vgg.inputs, vgg.layers[9].output)\n",
            plan=TruncatedModel(Span(2, 0, 2, 51)),
            note="already a truncated model",
        ),
    )


def _statements_on_line(index: SourceIndex, line: int) -> list[cst.SimpleStatementLine]:
    found: list[cst.SimpleStatementLine] = []

    class Finder(cst.CSTVisitor):
        def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
            if index.range(node).start.line == line:
                found.append(node)

    index.module.visit(Finder())
    return found
