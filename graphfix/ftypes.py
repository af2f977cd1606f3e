"""Data types shared by the pipeline. Data only: no behaviour beyond small accessors."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class Span:
    """A source range: 1-based lines, 0-based columns (as Python code positions report them)."""

    line: int
    col: int
    end_line: int
    end_col: int

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Span | None:
        if not data:
            return None
        return cls(int(data["line"]), int(data["col"]), int(data["end_line"]), int(data["end_col"]))


@dataclass(frozen=True)
class Tensor:
    tid: int
    shape: tuple[int | None, ...] | None
    producer: int | None  # index of the call that produced it
    is_input: bool
    input_span: Span | None
    flavor: str = ""


@dataclass(frozen=True)
class LayerCall:
    index: int
    layer: str
    cls: str
    uid: int
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    input_shapes: tuple[tuple[int | None, ...], ...]
    span: Span | None
    model_inputs: tuple[int, ...] = ()  # when the layer is a model: its own input tensors
    flavor: str = ""  # "keras3" or "tf_keras": which Keras the layer belongs to
    failed: bool = False  # the call raised (it has inputs but no outputs)
    sites: tuple[Span, ...] = ()  # the user calls that led to `span` (a helper's call sites), innermost first


@dataclass(frozen=True)
class ModelBuild:
    cls: str
    uid: int
    ok: bool
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    span: Span | None
    error: str | None
    name: str | None
    flavor: str = ""
    names: dict[str, int] = field(default_factory=dict)  # variable -> tensor, where it was built
    objects: dict[str, int] = field(default_factory=dict)  # variable or `self.attr` -> model uid, where it was built
    object_inputs: dict[str, tuple[int, ...]] = field(default_factory=dict)  # those names -> the model's own inputs


@dataclass(frozen=True)
class SequentialBuild:
    uid: int
    name: str
    span: Span | None


@dataclass(frozen=True)
class ProgramError:
    type: str
    message: str
    span: Span | None
    traceback: str
    # the arrays/tensors/datasets the failing frame could read: (name, shape of one sample)
    data: tuple[tuple[str, tuple[int | None, ...]], ...] = ()

    @property
    def summary(self) -> str:
        first = self.message.strip().splitlines()[0] if self.message.strip() else ""
        return f"{self.type}: {first}"[:300]


@dataclass(frozen=True)
class CreationFrame:
    """One user frame of a creation stack: where the code ran and in which function (of which
    class's instance, when the function is a method)."""

    span: Span | None
    function: str
    cls: str = ""
    converted: bool = False  # autograph's copy ran: the span has the line and start column only
    entry: bool = False  # called by Keras or TensorFlow (a tf.function, a Lambda, a loss), not by user code


@dataclass(frozen=True)
class Creation:
    """Variables made at one place while a tf.function was traced, Keras called user code back
    (a Lambda's function, a loss) or a user class's method ran; `stack` is innermost first."""

    stack: tuple[CreationFrame, ...]
    maker: str = ""  # the library class whose method made them (Adam, Dense)
    traced: bool = False
    callback: bool = False
    count: int = 1
    name: str = ""
    calls: int = 1  # distinct outermost layer calls that made them: more than one means per call

    @property
    def site(self) -> CreationFrame:
        return self.stack[0]


@dataclass(frozen=True)
class InnerCall:
    """A layer call made inside a user Layer/Model class's own method (its `call`). Tensor ids
    and `uid` are numbered within the trace, not shared with `LayerCall`."""

    index: int
    layer: str
    cls: str
    uid: int
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    span: Span | None
    reaches: bool  # some output is computed into what `call` returned
    converted: bool = False  # the span came from autograph's copy: its line and start column only


@dataclass(frozen=True)
class InnerTrace:
    """The layer calls one user class's `call` made the first time it ran on graph tensors."""

    cls: str
    layer: str
    calls: tuple[InnerCall, ...]
    returned: tuple[int, ...]


class ProbeStatus(enum.Enum):
    OK = "ok"  # the program ran to the end (or exited by itself)
    ERROR = "error"  # the program raised: evidence includes the exception
    TIMEOUT = "timeout"
    CRASHED = "crashed"  # died without reporting (signal, os._exit, memory)


@dataclass(frozen=True)
class Evidence:
    """What one probe saw."""

    status: ProbeStatus
    flavor: str
    calls: tuple[LayerCall, ...] = ()
    tensors: dict[int, Tensor] = field(default_factory=dict)
    models: tuple[ModelBuild, ...] = ()
    sequentials: tuple[SequentialBuild, ...] = ()
    error: ProgramError | None = None
    exit_code: int | None = None
    detail: str = ""  # why a probe timed out or crashed
    output_tail: str = ""  # the last lines the program printed
    seconds: float = 0.0
    stubbed: tuple[str, ...] = ()  # what the dry-run stubs replaced
    user_classes: dict[str, int] = field(default_factory=dict)  # user Layer/Model classes called
    created_in_call: dict[str, int] = field(default_factory=dict)  # class -> variables made in one call
    tracked_after_call: dict[str, int] = field(default_factory=dict)  # class -> weights it tracks after
    captures: dict[str, tuple[str, ...]] = field(default_factory=dict)  # tf.function -> global tensors read
    rebound: dict[str, tuple[str, ...]] = field(default_factory=dict)  # tf.function -> captured names rebound later
    disagreeing: tuple[str, ...] = ()  # user classes whose two eager calls on one input differed
    escaped: tuple[str, ...] = ()  # module globals holding tensors of a tf.function trace
    notes: tuple[str, ...] = ()  # how the probe ran (for --verbose)
    creations: tuple[Creation, ...] = ()  # where variables were made in traces, callbacks, user methods
    inner_traces: tuple[InnerTrace, ...] = ()  # layer calls inside user classes' `call`, first graph run


@dataclass(frozen=True)
class Plan:
    """One candidate repair for a fault, taken from the evidence.

    Each rule declares one frozen subclass per kind of repair it knows (rewire, compose,
    add-input, ...), with typed fields; the rule's `transform` turns a plan into source. The
    engine applies every plan a fault proposes, probes each result and keeps the one the
    runtime criteria prefer.
    """

    # a repair that changes what a model takes as input: the program must then run to the end,
    # since only that shows every place that feeds the model was fed right
    changes_inputs: ClassVar[bool] = False
    # a repair that always changes a model that built (declared by its rule); the engine also
    # holds back any fix after which a model that built before has other inputs or outputs
    unsafe: ClassVar[bool] = False
    # a repair whose point is that a model stops stacking layers it was wrongly given (a silent
    # fault): the engine allows that model to lose layers, never other inputs or outputs
    drops_layers: ClassVar[bool] = False
    # a repair whose point is that a model that built also outputs tensors it computes (skip
    # connections another model reads): the engine allows it to gain outputs after its own
    exposes_outputs: ClassVar[bool] = False
    # a repair whose point is that a model that built outputs other values in an output only its
    # loss reads (a gradient penalty's input gradients): the engine allows that model's outputs to
    # change shape, never its inputs or how many outputs it has
    reshapes_outputs: ClassVar[bool] = False

    @property
    def safe(self) -> bool:
        """Declared safe by its rule (the probes may still find it changes a built model)."""
        return not self.unsafe

    @property
    def kind(self) -> str:
        """The repair kind, kebab-case from the class name (`AddInput` -> `add-input`)."""
        return re.sub(r"(?<!^)(?=[A-Z])", "-", type(self).__name__).lower()

    def describe(self) -> str:
        """One line for `--verbose`: the kind and what it changes."""
        return self.kind


@dataclass(frozen=True)
class Fault:
    code: str
    name: str
    line: int
    col: int
    message: str
    repairs: tuple[Plan, ...] = ()  # candidate repairs, in the rule's order of preference
    candidates: tuple[str, ...] = ()  # names the rule considered but could not choose between (report only)
    explains_error: bool = False  # the program's exception is this fault's symptom (wherever it surfaced)
    cell: int | None = None  # notebooks: the 1-based code cell; `line` is then within that cell

    @property
    def key(self) -> tuple[str, int]:
        return (self.code, self.line)

    @property
    def fixable(self) -> bool:
        return bool(self.repairs)


class FixState(enum.Enum):
    NONE = "none"  # no rewrite exists (report only, or ambiguous)
    VERIFIED = "verified"
    UNVERIFIED = "unverified"  # a rewrite exists but the re-probe did not confirm it
    FAILED = "failed"  # the codemod could not apply
    AMBIGUOUS = "ambiguous"  # several verified repairs build different models; nothing chosen


class Verdict(enum.Enum):
    """What became of one candidate repair."""

    CHOSEN = "chosen"
    LOST = "lost"  # verified, but ranked below the chosen one
    TIED = "tied"  # verified, and the criteria cannot separate it from another that builds other models
    UNVERIFIED = "unverified"  # the re-probe did not confirm it
    FAILED = "failed"  # the codemod could not rewrite this source
    NOT_TRIED = "not tried"  # over the cap of candidates per fault


@dataclass(frozen=True)
class Trial:
    """One candidate repair of a fault, as the engine judged it."""

    plan: str  # the plan's description
    kind: str
    verdict: Verdict
    reason: str = ""
    rank: tuple[int, ...] | None = None  # the runtime criteria, lower is better (verified ones)
    diff: str = ""  # unified diff against the source it was tried on (kept for tied candidates)


HELD_BACK = "unsafe fix held back; use --unsafe-fixes"


@dataclass(frozen=True)
class FaultOutcome:
    fault: Fault
    state: FixState
    reason: str = ""
    trials: tuple[Trial, ...] = ()  # every candidate repair tried, in the rule's order
    chosen: Plan | None = None  # the repair that was verified (and applied, unless held back)

    @property
    def held_back(self) -> bool:
        """A verified fix that is unsafe and was not applied (no --unsafe-fixes)."""
        return self.state is FixState.VERIFIED and self.reason == HELD_BACK


@dataclass(frozen=True)
class Diagnosis:
    """The faults found in one probe's evidence, and what they leave unexplained."""

    faults: tuple[Fault, ...]
    program_error: str | None = None  # a failure no rule explains
    error: str | None = None  # the probe could not judge the program
    rule_errors: tuple[str, ...] = ()  # rules that raised: "GF101: <traceback's last line>"


@dataclass(frozen=True)
class FileOutcome:
    """The result for one file: faults, their fix states, the fixed source, or an error."""

    path: str
    faults: tuple[FaultOutcome, ...] = ()
    original: str | None = None
    fixed: str | None = None  # verified fixed source, when it differs from the original
    unverified: str | None = None  # a rewrite that did not verify, for --unverified
    error: str | None = None  # could not check: one line
    program_error: str | None = None  # the program failed for a reason graphfix does not know
    written: bool = False
    notes: tuple[str, ...] = ()  # for --verbose: what the probe stubbed, why a file was skipped
    skipped: tuple[str, ...] = ()  # parts not probed (notebook magics), always reported
    evidence: Evidence | None = None  # the first probe of the original source (for --graph)
    rule_errors: tuple[str, ...] = ()  # rules that raised on this file (the others still ran)
    stops_at: str | None = None  # fix: "line N: Error: message" where the last probe stopped; None: it ran
