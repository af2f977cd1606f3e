"""The probe's result file: the JSON a probe child writes and `graphfix.probe.parse_evidence` reads.

Declared once, here, for both sides. The worker and the recorder run in the *target*
interpreter, with this directory on ``sys.path``, and import it as ``graphfix_schema``;
graphfix imports it as ``graphfix.runtime.graphfix_schema``. Standard library only, and
nothing evaluated at import but the class bodies (the target may be any Python >= 3.10).

Every tensor is named by a small integer id (``tid``) that is unique within one probe;
``uid`` values are ``id()`` of the Keras objects, meaningful only for equality within one probe
(a model called as a layer has the uid of its `ModelJSON`). Keys a writer may leave out are
declared in a ``total=False`` subclass, so ``__required_keys__`` is right at run time too.
"""

from __future__ import annotations

from typing import Final, Literal, TypedDict

STATUS_OK: Final = "ok"  # the program ran to its end, or exited by itself (see "exit_code")
STATUS_ERROR: Final = "error"  # the program raised: see "error"

Status = Literal["ok", "error"]


class SpanJSON(TypedDict):
    """A source range of the probed file: 1-based lines, 0-based columns."""

    line: int
    end_line: int
    col: int
    end_col: int


class _TensorRequired(TypedDict):
    shape: list[int | None] | None
    name: str
    flavor: str  # "keras3", "tf_keras" or "other": the Keras the tensor's class belongs to


class TensorJSON(_TensorRequired, total=False):
    producer: int  # "index" of the first outermost call that output it
    input: bool  # the tensor an InputLayer owns (made by `Input(...)`)
    input_span: SpanJSON | None  # where `Input(...)` was called
    input_layer: str  # the name of that InputLayer


class _CallRequired(TypedDict):
    index: int
    model_inputs: list[int]  # when the layer is a model: its own input tensors
    layer: str  # the layer's name
    cls: str
    uid: int
    inputs: list[int]  # symbolic tensors among the arguments
    outputs: list[int]
    input_shapes: list[list[int | None]]  # shapes of the first (at most 4) shaped arguments
    span: SpanJSON | None
    flavor: str
    failed: bool  # the call raised: it has inputs, no outputs


class CallJSON(_CallRequired, total=False):
    """One outermost layer or operation call."""

    sites: list[SpanJSON]  # the user calls that led to "span" (a helper's call sites), innermost first


class _ModelRequired(TypedDict):
    cls: str
    uid: int
    ok: bool  # the constructor returned
    flavor: str


class ModelJSON(_ModelRequired, total=False):
    """One functional `Model(inputs, outputs)` construction (tf-keras may report one twice)."""

    inputs: list[int]
    outputs: list[int]
    span: SpanJSON | None
    names: dict[str, int]  # variable -> tensor id, in the user frame that built the model
    objects: dict[str, int]  # variable or `self.attr` -> model uid, in that frame (models built by helpers)
    object_inputs: dict[str, list[int]]  # the same names -> that model's own input tensors
    depth: int  # layer calls in progress: 0 for a model built at top level
    error: str  # "Type: message" when the constructor raised
    name: str  # the model's name, when it was built


class SequentialJSON(TypedDict):
    uid: int
    name: str
    span: SpanJSON | None


class _ErrorRequired(TypedDict):
    type: str
    message: str
    span: SpanJSON | None
    traceback: str


class ErrorJSON(_ErrorRequired, total=False):
    """The exception the program raised, at its innermost frame in the probed file; `data`: the
    arrays, tensors, DataFrames and datasets that frame could read, by name, with the shape of
    one sample (the batch axis dropped), for rules that need a shape the program never used."""

    data: dict[str, list[int | None]]


class SnapshotJSON(TypedDict):
    """What the recorder saw: `graphfix_recorder.snapshot()`."""

    calls: list[CallJSON]
    tensors: dict[str, TensorJSON]  # by tensor id, as a string (JSON object keys)
    models: list[ModelJSON]
    sequentials: list[SequentialJSON]
    user_classes: dict[str, int]  # user Layer/Model class -> times called
    created_in_call: dict[str, int]  # user class -> most variables created in one call
    tracked_after_call: dict[str, int]  # user class -> weights it tracks after its last call
    captures: dict[str, list[str]]  # tf.function -> module globals holding tensors it read
    rebound: dict[str, list[str]]  # tf.function -> captured globals since bound to another object
    disagreeing: list[str]  # user classes whose two eager calls on one input differed
    escaped: list[str]  # module globals holding tensors of a tf.function trace


class _FrameRequired(TypedDict):
    span: SpanJSON | None  # the executing expression (autograph frames: its line and start column)
    function: str  # the function's name ("<module>" at top level)
    cls: str  # the class of the frame's `self` argument, "" when it has none


class FrameJSON(_FrameRequired, total=False):
    """One user frame of a creation stack."""

    converted: bool  # autograph's converted copy of the function ran (inside a tf.function trace)
    entry: bool  # called by library code (a tf.function, a Lambda, fit calling a loss), not by user code


class CreationJSON(TypedDict, total=False):
    """Variables made at one place, during a trace, a Keras callback or a user class's method."""

    stack: list[FrameJSON]  # the user frames that led to it, innermost first (at most 8)
    maker: str  # the Keras/TensorFlow class whose method made the variable (Adam, Dense), or ""
    traced: bool  # made while a tf.function was being traced
    callback: bool  # the innermost user function was called by Keras or TensorFlow (Lambda, loss)
    count: int  # variables made there with this stack
    calls: int  # distinct outermost layer calls during which it made them (at most 8): > 1 is per call
    name: str  # the first one's name, when it was given one


class LifetimeJSON(TypedDict, total=False):
    """Where variables were created: `graphfix_recorder.lifetime_snapshot()`."""

    creations: list[CreationJSON]


class InnerCallJSON(TypedDict):
    """One layer call made inside a user Layer/Model class's own methods (its `call`)."""

    index: int  # order within the trace
    layer: str  # the inner layer's name
    cls: str
    uid: int  # the inner layer, numbered within its trace (1, 2, ...): equal numbers, same layer
    inputs: list[int]  # graph tensors among the arguments, numbered within the trace
    outputs: list[int]
    span: SpanJSON | None  # the call in the user's method (autograph copies: its line and start column)
    converted: bool  # the span came from autograph's copy of the method: line and start column only
    reaches: bool  # some output is computed into the value the outer `call` returned


class InnerTraceJSON(TypedDict):
    """The layer calls one user class's `call` made the first time it ran on graph tensors."""

    cls: str  # the user class
    layer: str  # the traced instance's name
    calls: list[InnerCallJSON]
    returned: list[int]  # the graph tensors `call` returned, numbered as the calls' tensors


class InnerCallsJSON(TypedDict, total=False):
    """Layer calls inside user classes: `graphfix_recorder.inner_snapshot()`."""

    inner_traces: list[InnerTraceJSON]


class ResultJSON(SnapshotJSON, LifetimeJSON, InnerCallsJSON):
    """The whole result file, written by `graphfix_worker` once the program has finished."""

    status: Status
    error: ErrorJSON | None
    exit_code: int | None  # the `SystemExit` code, when the program exited by itself
    stubbed: list[str]  # what the dry-run stubs replaced
    keras: list[str]  # the Keras modules imported: "keras", "tf_keras"
