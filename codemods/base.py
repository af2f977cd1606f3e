"""What every fault module provides: detection from evidence, a libcst rewrite, and examples.

A fault class is the unit of documentation, testing and fixing (like a Fixit rule):
- its module docstring is the user documentation (`graphfix explain`);
- `detect` turns probe evidence into faults, each with an ordered tuple of candidate repairs:
  typed `Plan`s, one frozen dataclass per repair kind, declared in the rule's module. A rule
  proposes; the engine applies each plan, probes the result and chooses by runtime criteria;
- `transform` rewrites the source for one plan, or raises `Skip` with the reason it cannot (the
  engine reports that as a candidate that failed);
- `proposals` says, for `--graph`, which edges of the construction graph a plan rewires (a rule
  whose repairs are not rewirings draws none);
- `EXAMPLES` (input -> expected) and `UNCHANGED` (input that must be left alone) run as tests.
None of these imports TensorFlow: evidence is plain data.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, ClassVar

from graphfix.ftypes import Evidence, Fault, Plan
from graphfix.graph import ConstructionGraph, Proposal, TensorNames
from graphfix.source import SourceIndex


class Skip(Exception):
    """The rewrite does not apply to this source; the message says why."""


@dataclass(frozen=True)
class Example:
    before: str
    plan: Plan
    after: str | None = None  # None: the rewrite must refuse and leave the source unchanged
    note: str = field(default="")


class FaultRule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    flavors: ClassVar[tuple[str, ...]] = ("keras3", "tf_keras")
    EXAMPLES: ClassVar[tuple[Example, ...]] = ()
    UNCHANGED: ClassVar[tuple[Example, ...]] = ()

    @classmethod
    def documentation(cls) -> str:
        """The rule's user documentation: its module docstring."""
        return (sys.modules[cls.__module__].__doc__ or "").strip()

    @classmethod
    def sections(cls) -> dict[str, str]:
        """The docstring by part, as `graphfix explain` shows it: `fault` (what is wrong),
        `symptom`, `detection` and `fix` (the rewrite and why it is right), from paragraphs
        that start with "Symptom:", "Detection" and "Fix"; anything else describes the fault."""
        parts: dict[str, list[str]] = {"fault": [], "symptom": [], "detection": [], "fix": []}
        body = cls.documentation().split("\n", 1)[-1].strip()
        current = "fault"
        for paragraph in body.split("\n\n"):
            head = paragraph.lstrip()
            for key, prefix in (("symptom", "Symptom"), ("detection", "Detection"), ("fix", "Fix")):
                if head.startswith(prefix):
                    current = key
            parts[current].append(paragraph.strip())
        if parts["symptom"]:
            parts["symptom"][0] = parts["symptom"][0].removeprefix("Symptom:").strip()
        return {key: "\n\n".join(items) for key, items in parts.items()}

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        raise NotImplementedError

    def detect_static(self, index: SourceIndex) -> list[Fault]:
        """Faults visible in the source alone (for `--no-run`); their fixes stay unverified."""
        return []

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        raise NotImplementedError

    def proposals(self, fault: Fault, plan: Plan, graph: ConstructionGraph, names: TensorNames) -> list[Proposal]:
        """The rewiring `plan` proposes, as edges of the recorded graph, where the plan pins both
        ends down in it; [] when it does not (never a guess) or the repair is not a rewiring."""
        return []

    def fault(self, line: int, col: int, message: str, **kwargs: Any) -> Fault:
        return Fault(code=self.code, name=self.name, line=line, col=col, message=message, **kwargs)
