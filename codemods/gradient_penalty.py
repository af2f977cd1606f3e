"""GF402's gradient penalty: ``K.gradients`` inside a loss, as Keras 2's WGAN-GP wrote it.

    interpolated = RandomWeightedAverage()([real, fake])
    validity_interpolated = critic(interpolated)
    gp_loss = partial(gradient_penalty_loss, averaged_samples=interpolated)
    critic_model = Model([real, z], [valid, fake, validity_interpolated])
    critic_model.compile(loss=[wasserstein, wasserstein, gp_loss], ...)

    def gradient_penalty_loss(y_true, y_pred, averaged_samples):
        gradients = K.gradients(y_pred, averaged_samples)[0]
        ...

Keras 2 computed the loss in the same TF1 graph as the model, so the loss could differentiate the
critic's output with respect to the symbolic input it was called on. Keras 3 has no
``K.gradients`` and computes losses on the values of a training step, where the symbolic
``averaged_samples`` means nothing.

Fix: the model output the loss receives becomes the gradients themselves. ``critic(interpolated)``
becomes ``InputGradients(critic)(interpolated)``, a small local layer that calls the wrapped
model on its input under a ``tf.GradientTape`` watching that input and returns the gradient of
the outputs (summed, as ``tf.gradients`` did) with respect to it; in the loss,
``K.gradients(y_pred, averaged_samples)[0]`` becomes ``y_pred``. The rest of the loss (norm,
penalty, mean) is unchanged and computes the same value on the same gradients; the critic runs
in training mode inside the training step as it did in Keras 2's graph, and the outer training
step differentiates through the tape (second-order gradients) as Keras 2 differentiated through
``tf.gradients``. The wrapped critic is the same object: no weight is added.

Only this shape is rewritten: the loss is a function whose ``y_pred`` parameter and another
parameter are ``K.gradients``'s arguments, it is bound with ``functools.partial(loss,
<param>=samples)``, the partial is the loss of one output of one compiled ``Model``, that output
is ``<model>(samples)`` read nowhere else, and the compiled model is only compiled and trained
(``fit``, ``train_on_batch``): the output that changes is seen by its loss alone. The plan
declares that change (``reshapes_outputs``) so that the engine's model-signature guard lets it
through.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from codemods.base import Skip
from graphfix.source import SourceIndex

LAYER = "InputGradients"
LAYER_SOURCE = '''class InputGradients({keras}.layers.Layer):
    """What Keras 2's `K.gradients(wrapped(x), x)[0]` gave a loss: the gradient of the wrapped
    model's outputs (summed) with respect to its input, computed under a `tf.GradientTape`."""

    def __init__(self, wrapped, **kwargs):
        super().__init__(**kwargs)
        self.wrapped = wrapped

    def call(self, inputs):
        with {tf}.GradientTape() as tape:
            tape.watch(inputs)
            outputs = self.wrapped(inputs)
        return tape.gradient(outputs, inputs)
'''


@dataclass(frozen=True)
class Penalty:
    gradients: cst.BaseExpression  # `K.gradients(y_pred, samples)[0]` (or the call alone)
    y_pred: str
    output: cst.Call  # `critic(samples)`, the model output the loss receives


def _code(index: SourceIndex, node: cst.CSTNode) -> str:
    return index.module.code_for_node(node)


def _function_of(index: SourceIndex, node: cst.CSTNode) -> cst.FunctionDef | None:
    current = index.parent(node)
    while current is not None and not isinstance(current, cst.FunctionDef):
        current = index.parent(current)
    return current


def _assigned_call(index: SourceIndex, name: str) -> list[cst.Call]:
    return [
        n.value for n in index.positions
        if isinstance(n, cst.Assign) and isinstance(n.value, cst.Call) and len(n.targets) == 1
        and _code(index, n.targets[0].target) == name
    ]  # fmt: skip


def penalty(index: SourceIndex, gradients: cst.Call) -> Penalty:
    """The WGAN-GP shape around `gradients`, or Skip saying what is missing."""
    arguments = [a.value for a in gradients.args if a.keyword is None]
    if len(arguments) != 2 or not all(isinstance(a, cst.Name) for a in arguments) or len(gradients.args) != 2:
        raise Skip("`K.gradients` is not called on two names")
    y_pred, samples_param = (_code(index, a) for a in arguments)
    loss = _function_of(index, gradients)
    params = [p.name.value for p in loss.params.params] if loss is not None else []
    params = params[1:] if params[:1] == ["self"] else params
    if loss is None or len(params) < 3 or params[1] != y_pred or samples_param not in params[2:]:
        raise Skip("`K.gradients` is not taken in a loss function of (y_true, y_pred, samples)")
    parent = index.parent(gradients)
    node: cst.BaseExpression = gradients
    if isinstance(parent, cst.Subscript) and _code(index, parent.slice[0]) == "0":
        node = parent
    loss_names = {loss.name.value, f"self.{loss.name.value}"}
    partials = [
        n for n in index.positions
        if isinstance(n, cst.Call) and _code(index, n.func).split(".")[-1] == "partial" and n.args
        and _code(index, n.args[0].value) in loss_names
    ]  # fmt: skip
    if len(partials) != 1:
        raise Skip("the loss is not bound once with functools.partial")
    bound = {a.keyword.value: a.value for a in partials[0].args if a.keyword is not None}
    samples = bound.get(samples_param)
    name = index.bound_name(partials[0])
    if samples is None or name is None:
        raise Skip(f"the partial does not bind `{samples_param}`, or is not named")
    output = _output_for(index, name, _code(index, samples))
    return Penalty(node, y_pred, output)


def _output_for(index: SourceIndex, loss: str, samples: str) -> cst.Call:
    """`critic(samples)`: the model output whose loss is `loss` in a `compile(loss=[...])`."""
    for node in index.positions:
        if not (
            isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "compile"
        ):
            continue
        losses = next((a.value for a in node.args if a.keyword is not None and a.keyword.value == "loss"), None)
        if not isinstance(losses, cst.List):
            continue
        codes = [_code(index, e.value) for e in losses.elements]
        if loss not in codes:
            continue
        model = _code(index, node.func.value)
        _only_trained(index, model)
        models = [c for c in _assigned_call(index, model) if _code(index, c.func).split(".")[-1] == "Model"]
        outputs = None
        if len(models) == 1:
            outputs = next(
                (a.value for a in models[0].args if a.keyword is not None and a.keyword.value == "outputs"), None
            )
            positional = [a.value for a in models[0].args if a.keyword is None]
            outputs = outputs if outputs is not None else positional[1] if len(positional) > 1 else None
        if not isinstance(outputs, cst.List) or len(outputs.elements) != len(codes):
            raise Skip("the compiled model's outputs are not a list beside the losses")
        output = _code(index, outputs.elements[codes.index(loss)].value)
        calls = _assigned_call(index, output)
        if len(calls) != 1 or [_code(index, a.value) for a in calls[0].args] != [samples]:
            raise Skip(f"the output `{output}` is not one call on the samples")
        reads = [
            n for n in index.positions
            if isinstance(n, cst.Name) and n.value == output and not isinstance(index.parent(n), cst.AssignTarget)
        ]  # fmt: skip
        if len(reads) != 1:
            raise Skip(f"`{output}` is read elsewhere than in the model's outputs")
        return calls[0]
    raise Skip("no compiled model takes the partial as the loss of an output")


def rewrite(index: SourceIndex, found: Penalty, keras: str, tf: str) -> str:
    """The output wrapped in `InputGradients`, the gradients read as `y_pred`, the layer added
    after the imports."""
    if LAYER in index.source:
        raise Skip(f"the file already names `{LAYER}`")
    gradients: cst.BaseExpression = cst.Name(found.y_pred)
    if isinstance(found.gradients, cst.Call):  # not subscripted: K.gradients returned a list
        gradients = cst.List([cst.Element(gradients)])
    output = found.output

    class Rewrite(cst.CSTTransformer):
        def leave_Subscript(self, original: cst.Subscript, updated: cst.Subscript) -> cst.BaseExpression:
            return gradients if original is found.gradients else updated

        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
            if original is found.gradients:
                return gradients
            if original is output:
                return updated.with_changes(func=cst.Call(func=cst.Name(LAYER), args=[cst.Arg(updated.func)]))
            return updated

    module = index.module.visit(Rewrite())
    body = list(module.body)
    last = -1  # the leading block of imports (and docstring)
    for position, statement in enumerate(body):
        if not isinstance(statement, cst.SimpleStatementLine):
            break
        if all(isinstance(x, (cst.Import, cst.ImportFrom)) for x in statement.body):
            last = position
        elif not (position == 0 and isinstance(statement.body[0], cst.Expr)):
            break
    layer = cst.parse_statement(LAYER_SOURCE.format(keras=keras, tf=tf))
    layer = layer.with_changes(leading_lines=[cst.EmptyLine(indent=False)] * 2)
    body.insert(last + 1, layer)
    return module.with_changes(body=body).code


TRAINING = ("compile", "fit", "train_on_batch", "summary")


def _only_trained(index: SourceIndex, model: str, seen: frozenset[str] = frozenset()) -> None:
    """The compiled model is only compiled and trained: no caller sees the output that changes."""
    if model in seen:
        return
    for node in index.positions:
        if not isinstance(node, (cst.Name, cst.Attribute)) or _code(index, node) != model:
            continue
        parent = index.parent(node)
        if isinstance(parent, cst.AssignTarget):
            continue
        builder = _function_of(index, node) if isinstance(parent, cst.Return) else None
        if builder is not None:  # a builder returns it: its callers keep it under other names
            for call in m.findall(index.module, m.Call(func=m.Name(builder.name.value))):
                name = index.bound_name(call)
                if name is None:
                    raise Skip(f"the model `{builder.name.value}` returns is not kept under a name")
                _only_trained(index, name, seen | {model})
            continue
        if not (isinstance(parent, cst.Attribute) and parent.value is node and parent.attr.value in TRAINING):
            raise Skip(f"`{model}` is used other than to train it (its output changes)")
