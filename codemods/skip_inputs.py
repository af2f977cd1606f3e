"""GF101's skip-inputs repair: a model that reads tensors of another model's graph.

A decoder built as a model of its own (its own code ``Input``) whose layers also read tensors
computed inside a separately built encoder (U-Net and VAE skip connections, feature-pyramid
laterals) cannot be built: those tensors come from the encoder's Input, which is not among the
decoder's inputs. The repair the two models need is the one a U-Net split into parts has:

- the encoder exposes the skip tensors as outputs: ``Model(image, code)`` becomes
  ``Model(image, [code, skip1, skip2])``;
- the decoder takes a fresh ``Input`` shaped like each skip, read where the skip was read:
  ``skip1_input = Input(shape=skip1.shape[1:])`` and ``Model([code, skip1_input, ...], out)``.

Outputs and inputs are listed in the same order, so ``decoder(encoder(x))`` composes them as
before. Whether the rest of the program agrees (an ``encoder.predict`` that now returns a list)
is for the probe of the rewritten program to say: the engine keeps the repair only if it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import libcst as cst
import libcst.matchers as m

from codemods.base import Example, Skip
from codemods.edits import call_at, model_arg
from graphfix.ftypes import ModelBuild, Plan, Span
from graphfix.graph import ConstructionGraph
from graphfix.source import SourceIndex


@dataclass(frozen=True)
class SkipInputs(Plan):
    changes_inputs: ClassVar[bool] = True
    exposes_outputs: ClassVar[bool] = True
    model: Span  # the model that could not be built
    source_model: Span  # the built model whose graph the skips belong to
    skips: tuple[tuple[str, str], ...]  # (name read where the model is built, the tensor's name in the source model's frame)
    reads: tuple[Span, ...]  # the calls (or helper call sites) of the failing model's graph that read the skips

    def describe(self) -> str:
        names = ", ".join(f"`{name}`" for name, _ in self.skips)
        return f"skip inputs: the other model also outputs {names}; the model takes an Input for each"


def skip_inputs(graph: ConstructionGraph, index: SourceIndex, model: ModelBuild, orphans: set[int]) -> list[Plan]:
    """The plan when every tensor the failing model reads from outside its inputs' graph is
    named where it is read and is computed, inside one model that built, from that model's
    inputs alone."""
    if model.span is None or not graph.ancestors(model.outputs) & set(model.inputs):
        return []
    own = graph.descendants(model.inputs)
    needed = graph.ancestors(model.outputs) | set(model.outputs)
    skips: set[int] = set()
    reads: list[Span] = []
    for call in graph.calls:
        if not any(t in needed for t in call.outputs) or not any(t in own for t in call.inputs):
            continue
        foreign = [t for t in call.inputs if t not in own]
        if not foreign:
            continue
        site = _site_in_scope(index, model, call.span, call.sites)
        if site is None:
            return []
        skips.update(foreign)
        reads.append(site)
    if not skips or not graph.roots(sorted(skips)) <= orphans:
        return []
    frame_names = _names_by_tensor(model.names)
    sources = [
        m for m in graph.evidence.models
        if m.ok and m.span is not None and m.uid != model.uid
        and graph.roots(sorted(skips)) <= set(m.inputs) and skips <= graph.ancestors(m.outputs) | set(m.outputs)
    ]
    if len(sources) != 1:
        return []
    source = sources[0]
    assert source.span is not None
    source_names = _names_by_tensor(source.names)
    pairs: list[tuple[str, str]] = []
    for tid in sorted(skips):
        if tid in source.outputs or tid not in frame_names or tid not in source_names:
            return []
        pairs.append((frame_names[tid], source_names[tid]))
    return [SkipInputs(model.span, source.span, tuple(pairs), tuple(reads))]


def _names_by_tensor(names: dict[str, int]) -> dict[int, str]:
    by_tensor: dict[int, str] = {}
    for name, tid in sorted(names.items()):
        if name.isidentifier():
            by_tensor.setdefault(tid, name)
    return by_tensor


def _site_in_scope(index: SourceIndex, model: ModelBuild, span: Span | None, sites: tuple[Span, ...]) -> Span | None:
    """Of a layer call and the helper calls that led to it, the one written where the model is built."""
    assert model.span is not None
    anchor = index.node_at(model.span)
    scope = index.scope_of(anchor) if anchor is not None else None
    for candidate in (span, *sites):
        node = index.node_at(candidate) if candidate is not None else None
        if node is not None and scope is not None and index.scope_of(node) is scope:
            return candidate
    return None


class _Apply(cst.CSTTransformer):
    def __init__(self, renames: dict[cst.Name, str], inserts: dict[cst.CSTNode, list[cst.BaseStatement]], calls: dict[cst.Call, tuple[str, list[str]]]) -> None:
        self.renames, self.inserts, self.calls = renames, inserts, calls

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        return updated.with_changes(value=self.renames[original]) if original in self.renames else updated

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if original not in self.calls:
            return updated
        keyword, added = self.calls[original]
        position = 0 if keyword == "inputs" else 1
        args = list(updated.args)
        arg = model_arg(updated, position, keyword)
        if arg is None:
            raise Skip(f"the model call has no {keyword} argument")
        at = args.index(arg)
        value = arg.value
        extra = [cst.Element(cst.parse_expression(a)) for a in added]
        if isinstance(value, cst.List):
            elements = list(value.elements)
            if elements and elements[-1].comma is cst.MaybeSentinel.DEFAULT:
                elements[-1] = elements[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            merged = elements + [e.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for e in extra[:-1]] + extra[-1:]
            new_value: cst.BaseExpression = value.with_changes(elements=merged)
        elif isinstance(value, (cst.Tuple, cst.Dict, cst.StarredElement)):
            raise Skip(f"the model's {keyword} are not a list or one tensor")
        else:
            new_value = cst.List([cst.Element(value), *extra])
        args[at] = arg.with_changes(value=new_value)
        return updated.with_changes(args=args)

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode | cst.FlattenSentinel[cst.CSTNode]:  # type: ignore[override]
        updated = super().on_leave(original, updated)  # type: ignore[assignment]
        if original in self.inserts and isinstance(updated, cst.BaseStatement):
            added = self.inserts[original]
            leading = getattr(updated, "leading_lines", ())
            first = added[0].with_changes(leading_lines=leading)  # type: ignore[call-arg]
            return cst.FlattenSentinel([first, *added[1:], updated.with_changes(leading_lines=())])
        return updated


def transform(index: SourceIndex, plan: SkipInputs) -> str:
    model_call = call_at(index, plan.model)
    source_call = call_at(index, plan.source_model)
    own_input = _input_callee(index)
    taken = {n.value for n in _all_names(index.module)}
    renames: dict[cst.Name, str] = {}
    new_names: list[str] = []
    first_read: dict[str, cst.CSTNode] = {}
    for name, _ in plan.skips:
        new = f"{name}_input"
        while new in taken:
            new += "_"
        taken.add(new)
        new_names.append(new)
        for read in plan.reads:
            call = index.node_at(read)
            if call is None:
                raise Skip(f"no call found at line {read.line}")
            for node in _all_names(call):
                if node.value == name and node not in renames:
                    renames[node] = new
                    statement = index.statement_of(node)
                    if statement is None:
                        raise Skip("the skip is read outside a statement")
                    earlier = first_read.get(name)
                    if earlier is None or index.span_of(statement).line < index.span_of(earlier).line:
                        first_read[name] = statement
    inserts: dict[cst.CSTNode, list[cst.BaseStatement]] = {}
    for (name, _), new in zip(plan.skips, new_names):
        if name not in first_read:
            raise Skip(f"`{name}` is not read where the model is built")
        inserts.setdefault(first_read[name], []).append(cst.parse_statement(f"{new} = {own_input}(shape={name}.shape[1:])\n"))
    calls = {
        model_call: ("inputs", new_names),
        source_call: ("outputs", [source for _, source in plan.skips]),
    }
    module = index.module.visit(_Apply(renames, inserts, calls))
    assert isinstance(module, cst.Module)
    return module.code


def _input_callee(index: SourceIndex) -> str:
    """How the program spells `Input` (`keras.Input`, `layers.Input`, `Input`): its first call of it."""
    for node in m.findall(index.module, m.Call()):
        assert isinstance(node, cst.Call)
        func = node.func
        tail = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        if tail == "Input":
            return index.module.code_for_node(func)
    raise Skip("the program never calls `Input`")


def _all_names(node: cst.CSTNode) -> list[cst.Name]:
    found: list[cst.Name] = []

    class _Collect(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.append(name)

        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            attribute.value.visit(self)
            return False  # `x.skip` is an attribute, not a read of `skip`

        def visit_Arg(self, arg: cst.Arg) -> bool:
            arg.value.visit(self)
            return False  # `f(skip=...)`: a keyword, not a read

    node.visit(_Collect())
    return found


EXAMPLES = (
    Example(
        before=(
            "img = Input((8,))\n"
            "h = Dense(4)(img)\n"
            "enc = Model(img, Dense(2)(h))\n"
            "z = Input((2,))\n"
            "out = Dense(3)(Concatenate()([z, h]))\n"
            "dec = Model(z, out)\n"
        ),
        plan=SkipInputs(Span(6, 6, 6, 19), Span(3, 6, 3, 29), (("h", "h"),), (Span(5, 15, 5, 36),)),
        after=(
            "img = Input((8,))\n"
            "h = Dense(4)(img)\n"
            "enc = Model(img, [Dense(2)(h), h])\n"
            "z = Input((2,))\n"
            "h_input = Input(shape=h.shape[1:])\n"
            "out = Dense(3)(Concatenate()([z, h_input]))\n"
            "dec = Model([z, h_input], out)\n"
        ),
    ),
)

UNCHANGED = (
    Example(
        before=(
            "img = Input((8,))\n"
            "h = Dense(4)(img)\n"
            "enc = Model(img, (Dense(2)(h), img))\n"
            "z = Input((2,))\n"
            "out = Dense(3)(Concatenate()([z, h]))\n"
            "dec = Model(z, out)\n"
        ),
        plan=SkipInputs(Span(6, 6, 6, 19), Span(3, 6, 3, 36), (("h", "h"),), (Span(5, 15, 5, 36),)),
        note="the encoder's outputs are a tuple: adding to them would change their structure",
    ),
)
