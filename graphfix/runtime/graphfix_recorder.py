"""Keras instrumentation that runs inside the probed interpreter.

This module is loaded by ``graphfix_worker.py`` in the *target* interpreter, which need not have
graphfix installed: it imports only the standard library at module level, and Keras/TensorFlow
lazily in :func:`install`.  It records, as plain JSON-able data:

- every outermost layer/operation call (layer, input and output tensors, user source span);
- every ``Input`` (as the tensor an ``InputLayer`` owns);
- every functional ``Model(inputs, outputs)``, whether construction succeeded, and its error;
- every ``Sequential`` construction and the first shape it was called with.

Patches are installed once in the warm worker, before it forks; each probe child calls
:func:`reset` and gets a fresh record. The shape of what it records is declared in
``graphfix_schema.py``.
"""

from __future__ import annotations

import sys
import traceback
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: mypy checks this directory as the package graphfix.runtime
    from graphfix.runtime.graphfix_schema import (
        CallJSON,
        CreationJSON,
        ErrorJSON,
        FrameJSON,
        InnerCallJSON,
        InnerCallsJSON,
        InnerTraceJSON,
        LifetimeJSON,
        ModelJSON,
        SequentialJSON,
        SnapshotJSON,
        SpanJSON,
        TensorJSON,
    )

# Files whose frames count as "user code" for locations. Set per probe.
USER_FILES: set[str] = set()


class Record:
    def __init__(self) -> None:
        self.calls: list[CallJSON] = []
        self.tensors: dict[int, TensorJSON] = {}
        self.models: list[ModelJSON] = []
        self.sequentials: list[SequentialJSON] = []
        self.keep_alive: list[Any] = []
        self.tensor_ids: dict[int, int] = {}
        self.depth = 0
        self.building: set[int] = set()
        self.user_classes: dict[str, int] = {}
        # per user Layer/Model class: most variables created in one call, and weights tracked after
        self.created_in_call: dict[str, int] = {}
        self.tracked_after_call: dict[str, int] = {}
        self.variables_made = 0
        # tf.function: the tensors each one read from module globals when first called
        self.captures: dict[str, dict[str, int]] = {}
        self.capture_values: dict[tuple[str, str], Any] = {}
        # eager calls of user classes on the same input object: did they agree?
        self.first_outputs: dict[tuple[int, int], Any] = {}
        self.disagreeing: set[str] = set()
        self.flavors: set[str] = set()

    def tid(self, tensor: Any) -> int:
        key = id(tensor)
        if key in self.tensor_ids:
            return self.tensor_ids[key]
        n = len(self.tensor_ids) + 1
        self.tensor_ids[key] = n
        self.keep_alive.append(tensor)
        self.tensors[n] = {"shape": _shape(tensor), "name": str(getattr(tensor, "name", "")), "flavor": _flavor_of(tensor)}
        return n


RECORD = Record()


def reset(user_files: set[str]) -> None:
    global RECORD
    RECORD = Record()
    _USER_CLASS.clear()
    _POSITIONS.clear()
    USER_FILES.clear()
    USER_FILES.update(user_files)


def _shape(value: Any) -> list[int | None] | None:
    shape = getattr(value, "shape", None)
    if shape is None:
        return None
    try:
        return [None if d is None else int(d) for d in tuple(shape)]
    except (TypeError, ValueError):
        return None


def user_span(frame: types.FrameType | None = None) -> SpanJSON | None:
    """The innermost frame in a user file, as a source span of the executing expression."""
    if frame is None:
        frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename in USER_FILES:
            return _span(frame.f_code, frame.f_lasti, frame.f_lineno)
        frame = frame.f_back
    return None


_MAX_SITES = 4
_POSITIONS: dict[types.CodeType, list[Any]] = {}


def user_sites(frame: types.FrameType | None) -> list[SpanJSON]:
    """The user frames outside the innermost one (where a helper that made the call was called
    from), innermost first, as spans of their executing expressions."""
    while frame is not None and frame.f_code.co_filename not in USER_FILES:
        frame = frame.f_back
    sites: list[SpanJSON] = []
    frame = frame.f_back if frame is not None else None
    while frame is not None and len(sites) < _MAX_SITES:
        code = frame.f_code
        if code.co_filename in USER_FILES:
            positions = _POSITIONS.get(code)
            if positions is None:  # a module's code is long, and read for every call it makes
                positions = _POSITIONS[code] = list(code.co_positions()) if hasattr(code, "co_positions") else []
            index = frame.f_lasti // 2
            line, end_line, col, end_col = positions[index] if 0 <= index < len(positions) else (None,) * 4
            if line is not None and end_line is not None and col is not None and end_col is not None:
                sites.append({"line": line, "end_line": end_line, "col": col, "end_col": end_col})
            else:  # no columns (Python 3.10, `-X no_debug_ranges`): the line alone
                sites.append({"line": frame.f_lineno or 0, "end_line": frame.f_lineno or 0, "col": 0, "end_col": 0})
        frame = frame.f_back
    return sites


def user_names(frame: types.FrameType | None) -> dict[str, int]:
    """Symbolic tensors bound to names in the innermost user frame: which tensor each name holds
    where a model is built (a tensor returned by a helper is named only there)."""
    while frame is not None and frame.f_code.co_filename not in USER_FILES:
        frame = frame.f_back
    if frame is None:
        return {}
    names = {}
    for name, value in list(frame.f_locals.items()):
        if _is_symbolic(value):
            names[name] = RECORD.tid(value)
    return names


def user_objects(frame: types.FrameType | None) -> dict[str, int]:
    """Models bound to names in the innermost user frame, and to attributes of its `self`:
    which model each name holds where another model is built (a helper's result is named only
    by its caller)."""
    while frame is not None and frame.f_code.co_filename not in USER_FILES:
        frame = frame.f_back
    if frame is None:
        return {}
    found: dict[str, int] = {}
    for name, value in list(frame.f_locals.items()):
        if _is_model(value):
            found[name] = id(value)
        elif name == "self":
            for attr, item in list(getattr(value, "__dict__", {}).items()):
                if not attr.startswith("_") and _is_model(item):
                    found[f"self.{attr}"] = id(item)
    return found


def object_inputs(frame: types.FrameType | None, objects: dict[str, int]) -> dict[str, list[int]]:
    """For each model named by `user_objects`: its own input tensors (a Sequential built with
    `input_shape=` made them itself)."""
    by_id: dict[int, Any] = {}
    while frame is not None and frame.f_code.co_filename not in USER_FILES:
        frame = frame.f_back
    if frame is None:
        return {}
    for name, value in list(frame.f_locals.items()):
        by_id[id(value)] = value
        if name == "self":
            for item in list(getattr(value, "__dict__", {}).values()):
                by_id[id(item)] = item
    found: dict[str, list[int]] = {}
    for name, uid in objects.items():
        try:
            inputs = by_id[uid].inputs
        except Exception:  # never built, or no inputs: nothing to name
            continue
        found[name] = [RECORD.tid(v) for v in _flatten(inputs, []) if _is_symbolic(v)]
    return found


def _is_model(value: Any) -> bool:
    for cls in type(value).__mro__:
        if cls.__name__ in ("Model", "Functional", "Sequential") and cls.__module__.startswith(("keras", "tf_keras")):
            return True
    return False


def _span(code: types.CodeType, lasti: int, lineno: int | None) -> SpanJSON:
    positions = list(code.co_positions())
    index = lasti // 2
    if 0 <= index < len(positions):
        line, end_line, col, end_col = positions[index]
        # columns are None under `-X no_debug_ranges`: then the line alone, as below
        if line is not None and end_line is not None and col is not None and end_col is not None:
            return {"line": line, "end_line": end_line, "col": col, "end_col": end_col}
    return {"line": lineno or 0, "end_line": lineno or 0, "col": 0, "end_col": 0}


def error_record(exc: BaseException) -> ErrorJSON:
    """The exception with the innermost user frame of its traceback."""
    span = None
    frame = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in USER_FILES:
            span = _span(tb.tb_frame.f_code, tb.tb_lasti, tb.tb_lineno)
            frame = tb.tb_frame
        tb = tb.tb_next
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    record: ErrorJSON = {
        "type": type(exc).__name__,
        "message": str(exc),
        "span": span,
        "traceback": text[-20000:],
    }
    if frame is not None:
        record["data"] = _data_shapes({**frame.f_globals, **frame.f_locals})
    return record


def _data_shapes(names: dict[str, Any], limit: int = 200) -> dict[str, list[int | None]]:
    """Per name, the shape of one sample of a NumPy array, tensor, DataFrame or batched dataset."""
    found: dict[str, list[int | None]] = {}
    for name, value in names.items():
        if len(found) >= limit:
            break
        if name.startswith("_") or isinstance(value, (type, types.ModuleType)):
            continue
        try:
            kind = type(value).__module__.split(".")[0]
            shape = None
            if kind in ("numpy", "tensorflow", "pandas") and hasattr(value, "shape") and not hasattr(value, "element_spec"):
                shape = tuple(value.shape)
            elif kind == "tensorflow" and hasattr(value, "element_spec"):
                spec = value.element_spec
                while isinstance(spec, (tuple, list)) and spec:
                    spec = spec[0]
                shape = tuple(spec.shape) if hasattr(spec, "shape") else None
            if shape:
                found[name] = [d if isinstance(d, int) or d is None else _dim(d) for d in shape[1:]]
        except Exception:  # a value that will not say its shape is no evidence
            continue
    return found


def _dim(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _flatten(value: Any, out: list[Any], depth: int = 0) -> list[Any]:
    if depth > 6:
        return out
    if isinstance(value, (list, tuple)):
        for item in value:
            _flatten(item, out, depth + 1)
    elif isinstance(value, dict):
        for item in value.values():
            _flatten(item, out, depth + 1)
    elif value is not None:
        out.append(value)
    return out


_SYMBOLIC_TYPES: list[type] = []


def _is_symbolic(value: Any) -> bool:
    return isinstance(value, tuple(_SYMBOLIC_TYPES))


_USER_CLASS: dict[type, bool] = {}


def _compare_repeat(layer: Any, args: tuple, result: Any) -> None:
    """Two eager calls of one layer on the same input object should give the same output."""
    try:
        if not args or _is_symbolic(args[0]) or not hasattr(result, "numpy"):
            return
        import numpy as np

        value = np.asarray(result)
        if value.size > 1_000_000:
            return
        key = (id(layer), id(args[0]))
        if key in RECORD.first_outputs:
            if not np.allclose(RECORD.first_outputs[key], value, equal_nan=True):
                RECORD.disagreeing.add(type(layer).__name__)
        else:
            RECORD.first_outputs[key] = value
            RECORD.keep_alive.append(args[0])
    except Exception:
        pass


def _note_weights(layer: Any, created: int) -> None:
    name = type(layer).__name__
    try:
        tracked = len(layer.weights)
    except Exception:
        return
    RECORD.created_in_call[name] = max(RECORD.created_in_call.get(name, 0), created)
    RECORD.tracked_after_call[name] = tracked


def _note_user_class(layer: Any) -> bool:
    """Layer/Model classes defined in the user's file that were called (at any depth)."""
    cls = type(layer)
    user = _USER_CLASS.get(cls)
    if user is None:
        module = sys.modules.get(cls.__module__)
        user = getattr(module, "__file__", None) in USER_FILES
        _USER_CLASS[cls] = user
    if user:
        RECORD.user_classes[cls.__name__] = RECORD.user_classes.get(cls.__name__, 0) + 1
    return bool(user)


def _flavor_of(obj: Any) -> str:
    module = type(obj).__module__
    return "tf_keras" if module.startswith("tf_keras") else "keras3" if module.startswith("keras") else "other"


def _record_call(
    layer: Any, args: tuple, kwargs: dict, result: Any, span: Any, failed: bool = False, sites: list[SpanJSON] | None = None
) -> None:
    values = _flatten(list(args) + list(kwargs.values()), [])
    inputs = [RECORD.tid(v) for v in values if _is_symbolic(v)]
    outputs = [RECORD.tid(v) for v in _flatten(result, []) if _is_symbolic(v)]
    in_shapes = [shape for shape in map(_shape, values) if shape is not None][:4]
    model_inputs: list[int] = []
    if hasattr(layer, "layers") and hasattr(layer, "get_layer"):  # a model called as a layer
        try:
            model_inputs = [RECORD.tid(v) for v in _flatten(layer.inputs, []) if _is_symbolic(v)]
        except Exception:
            model_inputs = []
    call: CallJSON = {
        "index": len(RECORD.calls),
        "model_inputs": model_inputs,
        "layer": str(getattr(layer, "name", type(layer).__name__)),
        "cls": type(layer).__name__,
        "uid": id(layer),
        "inputs": inputs,
        "outputs": outputs,
        "input_shapes": in_shapes,
        "span": span,
        "flavor": _flavor_of(layer),
        "failed": failed,
    }
    if sites:
        call["sites"] = sites
    RECORD.calls.append(call)
    for t in outputs:
        RECORD.tensors[t].setdefault("producer", call["index"])


def _wrap_call(original: Any) -> Any:
    def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:
        user = _note_user_class(self)
        inner = _inner_enter(self, args, kwargs, user) if (user or _TRACES) else None
        made_before = RECORD.variables_made
        RECORD.depth += 1
        try:
            result = original(self, *args, **kwargs)
        except BaseException:
            if inner is not None:
                _inner_exit(inner, None)
            RECORD.depth -= 1
            if RECORD.depth == 0:  # the failing call is evidence too (inputs, no outputs)
                try:
                    _record_call(self, args, kwargs, None, user_span(sys._getframe(1)), failed=True)
                except Exception:
                    pass
            raise
        RECORD.depth -= 1
        if inner is not None:
            _inner_exit(inner, result)
        if user:
            _note_weights(self, RECORD.variables_made - made_before)
            _compare_repeat(self, args, result)
        if RECORD.depth == 0:
            try:
                caller = sys._getframe(1)
                _record_call(self, args, kwargs, result, user_span(caller), sites=user_sites(caller))
            except Exception:  # recording must never change the program's behaviour
                pass
        return result

    __call__.__graphfix_original__ = original  # type: ignore[attr-defined]
    return __call__


def _wrap_input_init(original: Any) -> Any:
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        try:
            tensor = self.output
            t = RECORD.tid(tensor)
            RECORD.tensors[t]["input"] = True
            RECORD.tensors[t]["input_span"] = user_span(sys._getframe(1))
            RECORD.tensors[t]["input_layer"] = str(self.name)
        except Exception:
            pass

    return __init__


def _wrap_functional_init(original: Any) -> Any:
    def __init__(self: Any, inputs: Any = None, outputs: Any = None, *args: Any, **kwargs: Any) -> None:
        if id(self) in RECORD.building:  # a nested __init__ of the same model
            original(self, inputs, outputs, *args, **kwargs)
            return
        RECORD.building.add(id(self))
        entry: ModelJSON = {"cls": type(self).__name__, "uid": id(self), "ok": False, "flavor": _flavor_of(self)}
        try:
            entry["inputs"] = [RECORD.tid(v) for v in _flatten(inputs, []) if _is_symbolic(v)]
            entry["outputs"] = [RECORD.tid(v) for v in _flatten(outputs, []) if _is_symbolic(v)]
            entry["span"] = user_span(sys._getframe(1))
            entry["names"] = user_names(sys._getframe(1))
            entry["objects"] = user_objects(sys._getframe(1))
            entry["object_inputs"] = object_inputs(sys._getframe(1), entry["objects"])
            entry["depth"] = RECORD.depth
            RECORD.models.append(entry)
        except Exception:
            pass
        try:
            original(self, inputs, outputs, *args, **kwargs)
        except Exception as exc:
            entry["error"] = f"{type(exc).__name__}: {exc}"[:2000]
            raise
        finally:
            RECORD.building.discard(id(self))
        entry["ok"] = True
        entry["name"] = str(getattr(self, "name", ""))

    return __init__


def _wrap_sequential_init(original: Any) -> Any:
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        try:
            RECORD.sequentials.append(
                {"uid": id(self), "name": str(self.name), "span": user_span(sys._getframe(1))}
            )
        except Exception:
            pass

    return __init__


def _patch(cls: type, name: str, wrapper: Any) -> None:
    original = cls.__dict__.get(name)
    if original is None or getattr(original, "__graphfix_original__", None) is not None:
        return
    wrapped = wrapper(original)
    wrapped.__graphfix_original__ = original
    setattr(cls, name, wrapped)


def install_keras3() -> bool:
    try:
        from keras.src.backend.common.keras_tensor import KerasTensor
        from keras.src.layers.core.input_layer import InputLayer
        from keras.src.layers.layer import Layer
        from keras.src.models.functional import Functional
        from keras.src.models.sequential import Sequential
        from keras.src.ops.operation import Operation
    except Exception:
        return False
    _SYMBOLIC_TYPES.append(KerasTensor)
    _patch(Layer, "__call__", _wrap_call)
    _patch(Operation, "symbolic_call", _wrap_call)
    _patch(InputLayer, "__init__", _wrap_input_init)
    _patch(Functional, "__init__", _wrap_functional_init)
    _patch(Sequential, "__init__", _wrap_sequential_init)
    return True


def install_tf_keras() -> bool:
    try:
        from tf_keras.src.engine.base_layer import Layer
        from tf_keras.src.engine.functional import Functional
        from tf_keras.src.engine.input_layer import InputLayer
        from tf_keras.src.engine.keras_tensor import KerasTensor
        from tf_keras.src.engine.sequential import Sequential
    except Exception:
        return False
    _SYMBOLIC_TYPES.append(KerasTensor)
    _patch(Layer, "__call__", _wrap_call)
    _patch(InputLayer, "__init__", _wrap_input_init)
    _patch(Functional, "__init__", _wrap_functional_init)
    _patch(Sequential, "__init__", _wrap_sequential_init)
    return True


class _AfterImport:
    """A meta-path finder that runs `action` right after `name` is imported."""

    def __init__(self, name: str, action: Any) -> None:
        self.name = name
        self.action = action

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.name:
            return None
        import importlib.machinery

        sys.meta_path.remove(self)
        spec = None
        for finder in list(sys.meta_path):  # the other finders, so that hooks on one name chain
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                break
        else:
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        action = self.action

        class Loader:
            def create_module(self, spec: Any) -> Any:
                return loader.create_module(spec)

            def exec_module(self, module: Any) -> None:
                loader.exec_module(module)  # type: ignore[attr-defined]
                action()

        spec.loader = Loader()  # type: ignore[assignment]
        return spec


def install_on_import(name: str, action: Any) -> None:
    if name in sys.modules:
        action()
    else:
        sys.meta_path.insert(0, _AfterImport(name, action))


def _is_tensor_value(value: Any) -> bool:
    module = type(value).__module__
    return _is_symbolic(value) or (module.startswith("tensorflow") and hasattr(value, "dtype") and hasattr(value, "shape")
                                   and "Variable" not in type(value).__name__)


def _wrap_tf_function_call(original: Any) -> Any:
    def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            function = self.python_function
            code = function.__code__
            if code.co_filename in USER_FILES and function.__name__ not in RECORD.captures:
                captured = {}
                for name in code.co_names:
                    value = function.__globals__.get(name)
                    if value is not None and _is_tensor_value(value):
                        captured[name] = id(value)
                        RECORD.capture_values[(function.__name__, name)] = value
                RECORD.captures[function.__name__] = captured
        except Exception:
            pass
        return original(self, *args, **kwargs)

    return __call__


def _count_variables(next_creator: Any, **kwargs: Any) -> Any:
    RECORD.variables_made += 1
    return next_creator(**kwargs)


def install_tensorflow() -> bool:
    """tf.function captures (what each reads from module globals when first called)."""
    try:
        from tensorflow.python.eager.polymorphic_function.polymorphic_function import Function
    except Exception:
        return False
    _patch(Function, "__call__", _wrap_tf_function_call)
    return True


_CREATOR_SCOPE: Any = None


def count_variable_creation() -> None:
    """In the probe child: count every variable created (Keras 3 and tf-keras both make
    tf.Variables underneath), to compare with what layers track."""
    global _CREATOR_SCOPE
    try:
        import tensorflow as tf

        _CREATOR_SCOPE = tf.variable_creator_scope(_count_variables)
        _CREATOR_SCOPE.__enter__()
    except Exception:
        _CREATOR_SCOPE = None


def _rebound(module_globals: dict[str, Any]) -> dict[str, list[str]]:
    """Per tf.function: captured globals whose name now holds a different object."""
    result: dict[str, list[str]] = {}
    for function, names in RECORD.captures.items():
        changed = [name for name, ident in names.items() if id(module_globals.get(name)) != ident]
        if changed:
            result[function] = sorted(changed)
    return result


def _escaped(module_globals: dict[str, Any]) -> list[str]:
    """Module globals (or lists in them) holding tensors of a tf.function's trace."""
    def graph_tensor(value: Any) -> bool:
        return type(value).__name__ == "SymbolicTensor"

    names = []
    for name, value in list(module_globals.items()):
        items = value if isinstance(value, (list, tuple)) else [value]
        try:
            if any(graph_tensor(item) for item in list(items)[:1000]):
                names.append(name)
        except Exception:
            continue
    return sorted(names)


def snapshot(module_globals: dict[str, Any] | None = None) -> SnapshotJSON:
    return {
        "calls": RECORD.calls,
        "tensors": {str(k): v for k, v in RECORD.tensors.items()},
        "models": RECORD.models,
        "sequentials": RECORD.sequentials,
        "user_classes": RECORD.user_classes,
        "created_in_call": RECORD.created_in_call,
        "tracked_after_call": RECORD.tracked_after_call,
        "captures": {f: sorted(n) for f, n in RECORD.captures.items()},
        "rebound": _rebound(module_globals or {}),
        "disagreeing": sorted(RECORD.disagreeing),
        "escaped": _escaped(module_globals or {}),
    }


# --- where variables are created (GF302/GF303): the user-code creation stack -----------------
#
# A variable made while a tf.function is traced, or while user code runs as a callback of Keras
# (a Lambda's function, a loss, a metric) or inside a user class's method, is recorded with the
# user frames that led to it, innermost first. Inside a trace, autograph runs converted copies
# of the user's functions from generated files: their lines are mapped back through the source
# maps autograph keeps, so a frame of `tf__train_step` reads as `train_step` at its own line.

_CREATIONS: dict[tuple[Any, ...], CreationJSON] = {}
_CREATION_EPOCHS: dict[tuple[Any, ...], set[int]] = {}
_AUTOGRAPH_LINES: dict[str, dict[int, tuple[str, int, int, str]]] = {}
_CREATION_SCOPE: Any = None
_MAX_CREATION_SITES = 200
_MAX_CREATION_FRAMES = 8


def record_creations() -> None:
    """In the probe child: record the creation stack of every variable made during a trace, a
    Keras callback or a user class's method (after `reset`)."""
    global _CREATION_SCOPE
    _CREATIONS.clear()
    _CREATION_EPOCHS.clear()
    _AUTOGRAPH_LINES.clear()
    try:
        import tensorflow as tf

        _map_autograph_frames()
        _CREATION_SCOPE = tf.variable_creator_scope(_note_creation)
        _CREATION_SCOPE.__enter__()
    except Exception:
        _CREATION_SCOPE = None


def _map_autograph_frames() -> None:
    """Keep autograph's source maps: generated file -> line -> (user file, line, col, function)."""
    from tensorflow.python.autograph.impl import api

    transpiler = api._TRANSPILER
    original = getattr(transpiler.transform, "__graphfix_original__", transpiler.transform)

    def transform(entity: Any, ctx: Any) -> Any:
        result = original(entity, ctx)
        try:
            for generated, origin in result[2].items():
                if origin.loc.filename in USER_FILES:
                    lines = _AUTOGRAPH_LINES.setdefault(generated.filename, {})
                    lines[generated.lineno] = (origin.loc.filename, origin.loc.lineno, origin.loc.col_offset,
                                               str(origin.function_name or ""))
        except Exception:
            pass
        return result

    transform.__graphfix_original__ = original  # type: ignore[attr-defined]
    transpiler.transform = transform


def _user_frame(frame: types.FrameType) -> FrameJSON | None:
    """A frame of the user's file (or autograph's copy of one) as a `FrameJSON`."""
    code = frame.f_code
    owner = frame.f_locals.get("self") if "self" in code.co_varnames[: code.co_argcount] else None
    cls = type(owner).__name__ if owner is not None else ""
    if code.co_filename in USER_FILES:
        return {"span": _span(code, frame.f_lasti, frame.f_lineno), "function": code.co_name, "cls": cls}
    lines = _AUTOGRAPH_LINES.get(code.co_filename)
    if lines is not None and frame.f_lineno in lines:
        _, line, col, function = lines[frame.f_lineno]
        span: SpanJSON = {"line": line, "end_line": line, "col": col, "end_col": col}
        return {"span": span, "function": function or code.co_name.removeprefix("tf__"), "cls": cls, "converted": True}
    return None


def _called_by_library(frame: types.FrameType) -> bool:
    """The frame's caller is Keras or TensorFlow, not user code (autograph's `converted_call`,
    through which converted user code calls user code, does not count)."""
    caller = frame.f_back
    while caller is not None and "/autograph/" in caller.f_code.co_filename.replace("\\", "/"):
        caller = caller.f_back
    return caller is not None and _user_frame(caller) is None


def _is_user_class(value: Any) -> bool:
    module = sys.modules.get(type(value).__module__)
    return getattr(module, "__file__", None) in USER_FILES


def _note_creation(next_creator: Any, **kwargs: Any) -> Any:
    try:
        _record_creation(sys._getframe(1), kwargs)
    except Exception:  # recording must never change the program's behaviour
        pass
    return next_creator(**kwargs)


def _record_creation(frame: types.FrameType | None, kwargs: dict[str, Any]) -> None:
    if len(_CREATIONS) >= _MAX_CREATION_SITES:
        return
    frames: list[FrameJSON] = []
    maker = ""  # the library object whose method made the variable (Adam, Dense): outermost one
    callback = False
    in_user_method = False
    seen_user = False
    while frame is not None and len(frames) < _MAX_CREATION_FRAMES:
        user = _user_frame(frame)
        if user is not None:
            if not seen_user and frame.f_back is not None and _user_frame(frame.f_back) is None:
                callback = user["function"] != "<module>"  # user code that Keras or TensorFlow called
            seen_user = True
            owner = frame.f_locals.get("self")
            if owner is not None and _is_user_class(owner):
                in_user_method = True
            if _called_by_library(frame):
                user["entry"] = True
            frames.append(user)
        elif not seen_user:
            owner = frame.f_locals.get("self")
            if owner is not None and type(owner).__module__.startswith(("keras", "tf_keras", "tensorflow")):
                maker = type(owner).__name__
        frame = frame.f_back
    if not frames:
        return
    traced = _tracing()
    if not (traced or callback or in_user_method):
        return
    key = (traced, maker, tuple(f["span"]["line"] if f["span"] else 0 for f in frames))
    entry = _CREATIONS.get(key)
    if entry is None:
        entry = {"stack": frames, "maker": maker, "traced": traced, "callback": callback, "count": 0,
                 "name": str(kwargs.get("name") or "")}
        _CREATIONS[key] = entry
    entry["count"] = entry.get("count", 0) + 1
    epochs = _CREATION_EPOCHS.setdefault(key, set())
    if len(epochs) < 8:
        epochs.add(len(RECORD.calls))  # outermost calls finished so far: which call made it
        entry["calls"] = len(epochs)


def _tracing() -> bool:
    """A tf.function is being traced (tf-keras's own scratch graph for symbolic tensors is not)."""
    try:
        from tensorflow.python.framework import ops

        graph = ops.get_default_graph()
        return bool(getattr(graph, "building_function", False)) and getattr(graph, "name", "") != "keras_graph"
    except Exception:
        return False


def lifetime_snapshot() -> LifetimeJSON:
    """What `record_creations` saw (merged into the result file next to `snapshot`)."""
    return {"creations": list(_CREATIONS.values())}


# --- layer calls inside user classes (GF102): which inner results reach what `call` returns ---
#
# The first time a user Layer/Model class runs on graph tensors (a functional call, a build, a
# tf.function trace), every layer call its own methods make is recorded with its graph tensors,
# and what `call` returned is caught by a profile hook on its return. An inner result from which
# nothing returned is computed was thrown away: with the call that then read that layer's own
# input instead, it is a dead branch inside the class.

_TRACES: list[dict[str, Any]] = []  # traces in progress, innermost last
_INNER: list[InnerTraceJSON] = []
_INNER_DONE: dict[str, int] = {}  # user class -> traces attempted
_INNER_MAX_ATTEMPTS = 3
_INNER_MAX_TRACES = 50
_INNER_MAX_CALLS = 400
_INNER_MAX_WALK = 200_000
_PROFILE_BEFORE: list[Any] = []


def record_inner_calls() -> None:
    """In the probe child: start afresh (after `reset`)."""
    _TRACES.clear()
    _INNER.clear()
    _INNER_DONE.clear()


def _graph_tensor(value: Any) -> bool:
    return type(value).__name__ == "SymbolicTensor"


def _inner_enter(layer: Any, args: tuple, kwargs: dict, user: bool) -> tuple[Any, Any] | None:
    try:
        entry = _inner_call_of(layer, args, kwargs) if _TRACES else None
        trace = _start_trace(layer, args, kwargs) if user else None
    except Exception:  # recording must never change the program's behaviour
        return None
    if entry is None and trace is None:
        return None
    return entry, trace


def _inner_call_of(layer: Any, args: tuple, kwargs: dict) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The inner call record, when `layer` is called by a method of a traced user instance."""
    frame: types.FrameType | None = sys._getframe(3)
    while frame is not None:
        user = _user_frame(frame)
        if user is not None:
            owner = frame.f_locals.get("self")
            for trace in reversed(_TRACES):
                if trace["layer"] is owner and len(trace["calls"]) < _INNER_MAX_CALLS:
                    values = _flatten(list(args) + list(kwargs.values()), [])
                    uids: dict[int, int] = trace["uids"]
                    call: dict[str, Any] = {
                        "index": len(trace["calls"]),
                        "layer": str(getattr(layer, "name", type(layer).__name__)),
                        "cls": type(layer).__name__,
                        "uid": uids.setdefault(id(layer), len(uids) + 1),
                        "inputs": [_trace_tid(trace, v) for v in values if _graph_tensor(v)],
                        "outputs": [],
                        "span": user["span"],
                        "converted": bool(user.get("converted")),
                    }
                    trace["calls"].append(call)
                    return call, trace
            return None
        frame = frame.f_back
    return None


def _trace_tid(trace: dict[str, Any], tensor: Any) -> int:
    ids: dict[tuple[int, str], int] = trace["tids"]
    key = (id(tensor.graph), str(tensor.name))  # Keras may run `call` in several scratch graphs
    if key not in ids:
        ids[key] = len(ids) + 1
        trace["keep"].append(tensor)
    return ids[key]


def _start_trace(layer: Any, args: tuple, kwargs: dict) -> dict[str, Any] | None:
    name = type(layer).__name__
    if len(_INNER) >= _INNER_MAX_TRACES or _INNER_DONE.get(name, 0) >= _INNER_MAX_ATTEMPTS:
        return None
    if any(type(t["layer"]) is type(layer) for t in _TRACES):
        return None  # already tracing this class (Keras 3 enters symbolic_call after __call__)
    values = _flatten(list(args) + list(kwargs.values()), [])
    if not any(_is_symbolic(v) or _graph_tensor(v) for v in values):
        return None  # eager: no graph to tell what the result is computed from
    _INNER_DONE[name] = _INNER_DONE.get(name, 0) + 1
    trace: dict[str, Any] = {"layer": layer, "calls": [], "tids": {}, "uids": {}, "keep": [], "returned": None}
    if not _TRACES:
        _PROFILE_BEFORE[:] = [sys.getprofile()]
        sys.setprofile(_profile_returns)
    _TRACES.append(trace)
    return trace


def _profile_returns(frame: types.FrameType, event: str, arg: Any) -> None:
    """Catch the value each traced instance's `call` returns (autograph's copy: `tf__call`)."""
    if event != "return" or frame.f_code.co_name not in ("call", "tf__call"):
        return
    try:
        owner = frame.f_locals.get("self")
        for trace in _TRACES:
            if trace["layer"] is owner:
                trace["returned"] = arg
    except Exception:
        pass


def _inner_exit(token: tuple[Any, Any], result: Any) -> None:
    entry, trace = token
    try:
        if entry is not None:
            call, owner = entry
            call["outputs"] = [_trace_tid(owner, v) for v in _flatten(result, []) if _graph_tensor(v)]
        if trace is not None:
            if trace in _TRACES:
                _TRACES.remove(trace)
            if not _TRACES:
                sys.setprofile(_PROFILE_BEFORE[0] if _PROFILE_BEFORE else None)
            _finish_trace(trace)
    except Exception:
        pass


def _finish_trace(trace: dict[str, Any]) -> None:
    returned = [v for v in _flatten(trace["returned"], []) if _graph_tensor(v)]
    calls = [c for c in trace["calls"] if c["outputs"]]
    if not returned or not calls or _inner_failed(trace):
        return
    graph = id(returned[0].graph)
    reached: set[tuple[int, str]] = set()
    stack = list(returned)
    while stack and len(reached) < _INNER_MAX_WALK:
        tensor = stack.pop()
        key = (id(tensor.graph), str(tensor.name))
        if key in reached:
            continue
        reached.add(key)
        stack.extend(tensor.op.inputs)
    reached_ids = {trace["tids"][k] for k in reached if k in trace["tids"]}
    in_graph = {n for (g, _), n in trace["tids"].items() if g == graph}
    inner: list[InnerCallJSON] = []
    for call in trace["calls"]:
        if not set(call["outputs"]) <= in_graph:
            continue  # an earlier run of `call` (Keras builds in one scratch graph, then runs in another)
        record: InnerCallJSON = {
            "index": len(inner), "layer": call["layer"], "cls": call["cls"], "uid": call["uid"],
            "inputs": call["inputs"], "outputs": call["outputs"], "span": call["span"],
            "converted": call["converted"], "reaches": any(t in reached_ids for t in call["outputs"]),
        }
        inner.append(record)
    layer = trace["layer"]
    _INNER.append({
        "cls": type(layer).__name__,
        "layer": str(getattr(layer, "name", "")),
        "calls": inner,
        "returned": [_trace_tid(trace, v) for v in returned],
    })
    _INNER_DONE[type(layer).__name__] = _INNER_MAX_ATTEMPTS  # one complete trace per class


def _inner_failed(trace: dict[str, Any]) -> bool:
    """An inner call that raised leaves no outputs: the trace says nothing reliable."""
    return any(not c["outputs"] and c["inputs"] for c in trace["calls"])


def inner_snapshot() -> InnerCallsJSON:
    """What `record_inner_calls` saw (merged into the result file next to `snapshot`)."""
    return {"inner_traces": list(_INNER)}
