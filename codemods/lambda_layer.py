"""A function wrapped in `Lambda` that creates `tf.Variable`s, rewritten as a Layer subclass.

`keras.layers.Lambda(f)` runs `f` on every call and tracks nothing `f` creates: its variables are
made anew on every call or trace (tf-keras refuses them: "Variables were created within a Lambda
layer"; Keras 3 fails when a tf.function traces the layer again: "tf.function only supports
singleton tf.Variables"), and they are never trained or saved. The same computation as a layer
keeps them: `f`'s `tf.Variable`s become weights made once in `build` (their initial values read
the input's shape from `build`'s argument), `f`'s other parameters become constructor arguments
kept on the layer, and the rest of `f` is the layer's `call`. Each `Lambda(f, arguments={...},
name=...)` becomes `F(<arguments as keywords>, name=...)`, one layer (with its own weights) per
`Lambda`, as before. Used by GF303 (and GF302) when the probe saw `f` create variables.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from codemods.base import Skip
from codemods.create_once import assigned_call
from codemods.edits import add_import, unique_name
from codemods.layer_created_in_call import ShapeToArgument, shape_reads, weight_statements
from codemods.tf_functions import calls_in, creates_variable, functions, qualified_names
from graphfix.source import SourceIndex

# attributes every Keras layer has: a constructor argument kept under one of these names would
# clobber it
_LAYER_ATTRIBUTES = frozenset({
    "name", "dtype", "trainable", "built", "input", "output", "weights", "losses", "metrics",
    "input_shape", "output_shape", "supports_masking", "dynamic", "variables", "inbound_nodes",
    "outbound_nodes", "activity_regularizer", "input_spec", "call", "build", "path",
})
# keyword arguments every layer's constructor takes: a parameter so named cannot be the new layer's
_BASE_ARGUMENTS = frozenset({"name", "dtype", "trainable", "autocast", "input_shape", "batch_input_shape", "input_dim", "dynamic", "kwargs"})
# Lambda's own constructor arguments besides the function; `output_shape` is a Lambda's way to
# state what a layer computes for itself, the rest go to the layer's base class
_DROPPED = ("output_shape",)
_REFUSED = ("mask",)


def lambda_uses(index: SourceIndex, name: str) -> list[cst.Call] | None:
    """The `Lambda(name, ...)` constructions of the file; None when `name` is read otherwise (or
    never wrapped)."""
    uses: list[cst.Call] = []
    for node in index.positions:
        if not isinstance(node, cst.Name) or node.value != name:
            continue
        parent = index.parent(node)
        if isinstance(parent, cst.FunctionDef) and parent.name is node:
            continue
        if isinstance(parent, cst.Call) and parent.func is node and _wrapper_call(parent, index.parent(parent)):
            wrapper = index.parent(parent)  # `Lambda(lambda t: f(t, ...))`
            parent = index.parent(wrapper) if wrapper is not None else None
        arg = parent if isinstance(parent, cst.Arg) else None
        call = index.parent(arg) if arg is not None else None
        if not isinstance(call, cst.Call) or not _is_lambda(index, call) or call.args[0] is not arg or arg.keyword is not None:
            return None
        uses.append(call)
    return uses or None


def _wrapper_call(call: cst.Call, wrapper: cst.CSTNode | None) -> bool:
    """`call` is the whole body of `lambda t: f(t, ...)`, passing the lambda's only parameter
    first and not reading it anywhere else."""
    if not isinstance(wrapper, cst.Lambda) or wrapper.body is not call:
        return False
    params = wrapper.params
    if len(params.params) != 1 or params.star_arg != cst.MaybeSentinel.DEFAULT or params.kwonly_params or params.star_kwarg:
        return False
    name = params.params[0].name.value
    if not call.args or call.args[0].keyword is not None or call.args[0].star or not (isinstance(call.args[0].value, cst.Name) and call.args[0].value.value == name):
        return False
    reads: list[str] = []

    class Reads(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            reads.append(node.value)

    for arg in call.args[1:]:
        arg.value.visit(Reads())
    return name not in reads and not any(a.star for a in call.args)


def _is_lambda(index: SourceIndex, call: cst.Call) -> bool:
    names = qualified_names(index, call.func)
    if names:
        return any(n.endswith(".Lambda") and "keras" in n for n in names)
    return index.module.code_for_node(call.func).split(".")[-1] == "Lambda"


def lambda_function(index: SourceIndex, name: str) -> cst.FunctionDef | None:
    """The only definition of `name`, when the file wraps it in `Lambda` and nothing else reads it."""
    found = [f for f in functions(index) if f.name.value == name]
    if len(found) != 1 or lambda_uses(index, name) is None:
        return None
    return found[0]


def class_name(function: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in function.split("_") if part) or "LambdaLayer"


def lambda_to_layer(index: SourceIndex, name: str) -> str:
    """The rewrite (see the module docstring); `Skip` with the reason when it does not apply."""
    function = lambda_function(index, name)
    uses = lambda_uses(index, name)
    if function is None or uses is None:
        raise Skip(f"`{name}` is not a function only wrapped in `Lambda`")
    params = function.params
    if params.star_arg != cst.MaybeSentinel.DEFAULT or params.star_kwarg is not None or params.kwonly_params or params.posonly_params:
        raise Skip(f"`{name}` takes *args, **kwargs or keyword-only parameters")
    if not params.params or not isinstance(function.body, cst.IndentedBlock):
        raise Skip(f"`{name}` takes no input")
    input_name = params.params[0].name.value
    others = list(params.params[1:])
    variables = variable_statements(index, function)
    made = [c for c in calls_in(function) if creates_variable(index, c)]
    if not variables or len(made) != len(variables):
        raise Skip(f"`{name}` creates variables other than as `name = tf.Variable(...)` in its body")
    # what the attributes are called: a parameter keeps its name unless a layer has one like it
    taken = set(_LAYER_ATTRIBUTES)
    kept: dict[str, str] = {}
    for param in others:
        if param.name.value in _BASE_ARGUMENTS:
            raise Skip(f"`{name}`'s parameter `{param.name.value}` would shadow the layer's own `{param.name.value}=`")
        attr = param.name.value if param.name.value not in taken else f"{param.name.value}_arg"
        kept[param.name.value] = attr
        taken.add(attr)
    bound = _locals(function) - {input_name} - set(kept)
    weights: list[cst.BaseStatement] = []
    build_reads: set[str] = set()
    replaced: dict[cst.BaseStatement, cst.BaseStatement] = {}
    for statement in variables:
        assign = statement.body[0]
        assert isinstance(assign, cst.Assign) and isinstance(assign.targets[0].target, cst.Name) and isinstance(assign.value, cst.Call)
        local = assign.targets[0].target.value
        reads, _ = shape_reads(assign.value, input_name)
        if input_name in reads or reads & bound:
            raise Skip(f"the initial value of `{local}` reads `{name}`'s input or locals beyond its shape")
        build_reads |= reads & set(kept)
        attr = local if local not in taken else f"{local}_weight"
        taken.add(attr)
        created = assign.value.visit(ShapeToArgument(input_name, "input_shape"))
        assert isinstance(created, cst.Call)
        made_once = weight_statements(index, created, attr, taken, assign.value, lift=True)
        if not made_once:
            raise Skip(f"`{local}` is not a `tf.Variable` with a plain initial value")
        weights.extend(made_once)
        replaced[statement] = cst.parse_statement(f"{local} = self.{attr}").with_changes(leading_lines=statement.leading_lines)
    layer = unique_name(class_name(name), {n.value for n in index.positions if isinstance(n, cst.Name)})
    base, new_import = _base_class(index, uses)
    calls = {id(use): _construction(index, use, layer, [p.name.value for p in others]) for use in uses}
    init = _init(others, kept)
    unpack = [cst.parse_statement(f"{p} = self.{kept[p]}") for p in kept]
    build = cst.parse_statement("def build(self, input_shape):\n    pass\n")
    assert isinstance(build, cst.FunctionDef)
    build_body = [s for s in unpack if _assigned(s) in build_reads] + weights
    build = build.with_changes(body=build.body.with_changes(body=build_body), leading_lines=[cst.EmptyLine(indent=False)])
    body = [replaced.get(s, s) for s in function.body.body]
    reads_in_call = {n for statement in body for n in _names_read(statement)}
    call_body = [s for s in unpack if _assigned(s) in reads_in_call] + body
    call = function.with_changes(
        name=cst.Name("call"),
        decorators=[],
        leading_lines=[cst.EmptyLine(indent=False)],
        params=params.with_changes(params=[cst.Param(cst.Name("self")), params.params[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)]),
        body=function.body.with_changes(body=call_body),
    )
    members: list[cst.BaseStatement] = [*([init] if init is not None else []), build, call]
    if init is None:
        members[0] = members[0].with_changes(leading_lines=[])  # type: ignore[attr-defined]
    cls = cst.ClassDef(
        name=cst.Name(layer),
        bases=[cst.Arg(cst.parse_expression(base))],
        body=cst.IndentedBlock(body=members),
        leading_lines=function.leading_lines,
    )

    class Rewrite(cst.CSTTransformer):
        def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.BaseStatement:
            return cls if original is function else updated

        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
            return calls.get(id(original), updated)

    code = index.module.visit(Rewrite()).code
    return add_import(code, new_import) if new_import else code


def variable_statements(index: SourceIndex, function: cst.FunctionDef) -> list[cst.SimpleStatementLine]:
    """The statements `name = tf.Variable(...)` directly in `function`'s body."""
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    found = []
    for statement in body:
        call = assigned_call(statement)
        if call is not None and creates_variable(index, call):
            assert isinstance(statement, cst.SimpleStatementLine)
            found.append(statement)
    return found


def _locals(function: cst.FunctionDef) -> set[str]:
    bound: set[str] = set()

    class Finder(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            bound.update(n.value for n in _target_names(node.target))

        def visit_For(self, node: cst.For) -> None:
            bound.update(n.value for n in _target_names(node.target))

    function.body.visit(Finder())
    return bound


def _target_names(target: cst.BaseExpression) -> list[cst.Name]:
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _target_names(e.value)]
    return []


def _names_read(node: cst.CSTNode) -> set[str]:
    names: set[str] = set()

    class Finder(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            names.add(name.value)

    node.visit(Finder())
    return names


def _assigned(statement: cst.BaseStatement) -> str:
    assign = statement.body[0]  # type: ignore[attr-defined]
    return assign.targets[0].target.value  # type: ignore[no-any-return]


def _init(others: Sequence[cst.Param], kept: dict[str, str]) -> cst.FunctionDef | None:
    """`__init__` taking the function's other parameters (defaults kept) and keeping them."""
    if not others:
        return None
    params = [cst.Param(cst.Name("self"))] + [p.with_changes(comma=cst.MaybeSentinel.DEFAULT) for p in others]
    header = cst.parse_statement("def __init__(self, **kwargs):\n    super().__init__(**kwargs)\n")
    assert isinstance(header, cst.FunctionDef)
    stores = [cst.parse_statement(f"self.{kept[p.name.value]} = {p.name.value}") for p in others]
    return header.with_changes(
        params=header.params.with_changes(params=params),
        body=header.body.with_changes(body=[*header.body.body, *stores]),  # type: ignore[attr-defined]
    )


def _construction(index: SourceIndex, use: cst.Call, layer: str, params: list[str]) -> cst.Call:
    """`Lambda(f, arguments={'p': 1}, name='n')` -> `F(p=1, name='n')`; the arguments of a
    wrapping `lambda t: f(t, 2, q=3)` become keywords too (`params`: `f`'s other parameters)."""
    args: list[cst.Arg] = []
    wrapped = use.args[0].value
    if isinstance(wrapped, cst.Lambda) and isinstance(wrapped.body, cst.Call):
        for position, arg in enumerate(wrapped.body.args[1:]):
            if arg.keyword is None and position >= len(params):
                raise Skip("the wrapping lambda passes more arguments than the function takes")
            args.append(arg if arg.keyword is not None else cst.Arg(arg.value, keyword=cst.Name(params[position])))
    for arg in use.args[1:]:
        if arg.keyword is None or arg.star:
            raise Skip("a `Lambda` takes more than its function positionally")
        keyword = arg.keyword.value
        if keyword in _REFUSED:
            raise Skip(f"a `Lambda` takes `{keyword}=`")
        if keyword in _DROPPED:
            continue
        if keyword == "arguments":
            if not isinstance(arg.value, cst.Dict):
                raise Skip("`arguments=` is not a dict literal")
            for element in arg.value.elements:
                key = element.key if isinstance(element, cst.DictElement) else None
                value = key.evaluated_value if isinstance(key, cst.SimpleString) else None
                if not isinstance(value, str) or not value.isidentifier():
                    raise Skip("`arguments=` has a key that is not a plain name")
                args.append(cst.Arg(element.value, keyword=cst.Name(value)))  # type: ignore[union-attr]
            continue
        args.append(arg)
    args = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in args]
    args = [a.with_changes(equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))) for a in args]
    return cst.Call(func=cst.Name(layer), args=args)


def _base_class(index: SourceIndex, uses: list[cst.Call]) -> tuple[str, str | None]:
    """The `Layer` class next to the `Lambda` the file uses (`layers.Lambda` -> `layers.Layer`),
    and the import to add when `Lambda` was imported by name."""
    func = uses[0].func
    if isinstance(func, cst.Attribute):
        return index.module.code_for_node(func.value) + ".Layer", None
    names = sorted(n for n in qualified_names(index, func) if n.endswith(".Lambda"))
    if not names:
        raise Skip("cannot tell which Keras the `Lambda` comes from")
    module = names[0].removesuffix(".Lambda")
    if any(isinstance(n, cst.Name) and n.value == "Layer" for n in index.positions):
        layer_names = {q for n in index.positions if isinstance(n, cst.Name) and n.value == "Layer" for q in qualified_names(index, n)}
        if layer_names == {f"{module}.Layer"}:
            return "Layer", None
        raise Skip("the name `Layer` is taken")
    return "Layer", f"from {module} import Layer"
