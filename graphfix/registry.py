"""The fault rules, discovered once and validated, then passed down to whatever needs them.

A rule is a `FaultRule` subclass with a `code`, defined in a module of the `codemods` package
(one module per fault). Discovery imports those modules; validation refuses duplicate codes and
rules without examples or documentation, so a broken rule fails at start-up, not mid-run.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator, Mapping

import codemods
from codemods.base import FaultRule


class RegistryError(Exception):
    """A rule module that does not meet the contract."""


class Registry(Mapping[str, FaultRule]):
    """Rules by code, in code order."""

    def __init__(self, rules: Mapping[str, FaultRule]) -> None:
        self._rules = dict(sorted(rules.items()))

    def __getitem__(self, code: str) -> FaultRule:
        return self._rules[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)


def discover() -> Registry:
    """Every rule class in the `codemods` package, one instance each, validated."""
    rules: dict[str, FaultRule] = {}
    for info in sorted(pkgutil.iter_modules(codemods.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"codemods.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, FaultRule) or cls is FaultRule or cls.__module__ != module.__name__:
                continue
            if not getattr(cls, "code", None):
                continue
            rule = cls()
            if rule.code in rules:
                raise RegistryError(f"duplicate fault code {rule.code} ({type(rules[rule.code]).__name__}, {cls.__name__})")
            if not cls.EXAMPLES:
                raise RegistryError(f"{rule.code} has no examples")
            if not cls.documentation():
                raise RegistryError(f"{rule.code} has no documentation")
            rules[rule.code] = rule
    return Registry(rules)
