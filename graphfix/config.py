"""What the user asked for outside the command line: `[tool.graphfix]` in `pyproject.toml`
(found from the target upward) and `# graphfix: ignore[GF102]` comments on reported lines.

Both are validated: an unknown key, a value of the wrong type or an unknown fault code is a
`ConfigError` with a one-line message, never silently ignored.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import io
import os
import re
import sys
import tokenize
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

KEYS: dict[str, type | tuple[type, ...]] = {
    "select": list,
    "ignore": list,
    "exclude": list,
    "timeout": (int, float),
    "python": str,
    "entry": str,
    "jobs": int,
}

SUPPRESSION = re.compile(r"#\s*graphfix:\s*ignore\b(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)


class ConfigError(Exception):
    """Configuration that cannot be used; the message is one line."""


@dataclass(frozen=True)
class Config:
    source: Path | None = None  # the pyproject.toml the settings came from
    select: frozenset[str] | None = None  # None: every code
    ignore: frozenset[str] = frozenset()
    exclude: tuple[str, ...] = ()
    timeout: float | None = None
    python: str | None = None
    entry: str | None = None
    jobs: int | None = None
    root: Path = field(default_factory=Path.cwd)  # exclude patterns are relative to this

    def wants(self, code: str) -> bool:
        return (self.select is None or code in self.select) and code not in self.ignore

    def excluded(self, path: Path, walked: Path | None = None) -> bool:
        """Whether an exclude pattern matches the path (relative to the config's directory) or
        one of its parent directories; a pattern without `/` (`legacy`, `*_old.py`) matches a
        file or directory of that name anywhere below the config's directory (or below `walked`,
        the directory the path was found in, when it lies outside), as in ruff."""
        if not self.exclude:
            return False
        absolute = path.resolve()
        try:
            parts = absolute.relative_to(self.root.resolve()).parts
            inside = True
        except ValueError:
            inside = False
            try:
                parts = absolute.relative_to(walked.resolve()).parts if walked is not None else (absolute.name,)
            except ValueError:
                parts = (absolute.name,)
        names = [pattern.rstrip("/") for pattern in self.exclude if "/" not in pattern.rstrip("/")]
        if any(fnmatch.fnmatchcase(part, pattern) for pattern in names for part in parts):
            return True
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))] if inside else []
        return any(fnmatch.fnmatchcase(prefix, pattern.rstrip("/")) for pattern in self.exclude for prefix in prefixes)


def find_pyproject(start: Path) -> Path | None:
    """The nearest `pyproject.toml` with a `[tool.graphfix]` table, from `start` upward."""
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"{candidate}: cannot read: {exc}") from None
            if "graphfix" in data.get("tool", {}):
                return candidate
    return None


def load_config(targets: Iterable[Path], codes: Collection[str]) -> Config:
    """The configuration for a run over `targets`: from the pyproject.toml found upward from
    their common directory (or an empty configuration)."""
    paths = [Path(os.path.abspath(t)) for t in targets] or [Path.cwd()]
    common = Path(os.path.commonpath([str(p) for p in paths]))
    found = find_pyproject(common)
    if found is None:
        return Config()
    table = tomllib.loads(found.read_text(encoding="utf-8"))["tool"]["graphfix"]
    return parse_table(table, found, codes)


def parse_table(table: Any, source: Path, codes: Collection[str]) -> Config:
    where = f"{source}: [tool.graphfix]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    for key, value in table.items():
        if key not in KEYS:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(KEYS)})")
        expected = KEYS[key]
        if isinstance(value, bool) or not isinstance(value, expected):
            raise ConfigError(f"{where}: {key} must be {_describe(expected)}, not {type(value).__name__}")
        if isinstance(value, list) and not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{where}: {key} must be a list of strings")
    if table.get("timeout") is not None and table["timeout"] <= 0:
        raise ConfigError(f"{where}: timeout must be positive")
    if table.get("jobs") is not None and table["jobs"] < 1:
        raise ConfigError(f"{where}: jobs must be at least 1")
    python = table.get("python")
    if python is not None and ("/" in python or python.startswith(".")):
        python = str((source.parent / python).resolve()) if not os.path.isabs(python) else python
    select = table.get("select")
    return Config(
        source=source,
        select=None if select is None else expand_codes(select, codes, f"{where}: select"),
        ignore=expand_codes(table.get("ignore", []), codes, f"{where}: ignore"),
        exclude=tuple(table.get("exclude", [])),
        timeout=None if table.get("timeout") is None else float(table["timeout"]),
        python=python,
        entry=table.get("entry"),
        jobs=table.get("jobs"),
        root=source.parent,
    )


def expand_codes(items: Iterable[str], codes: Collection[str], where: str) -> frozenset[str]:
    """Codes and code prefixes (`GF1` means GF101-GF104) to the set of known codes they name."""
    chosen: set[str] = set()
    for item in items:
        wanted = item.strip().upper()
        matches = {code for code in codes if code == wanted or (len(wanted) >= 3 and code.startswith(wanted))}
        if not wanted or not matches:
            raise ConfigError(f"{where}: unknown fault code {item!r} (see `graphfix rules`)")
        chosen |= matches
    return frozenset(chosen)


def _describe(expected: type | tuple[type, ...]) -> str:
    names = {list: "a list of strings", str: "a string", int: "an integer", float: "a number"}
    if isinstance(expected, tuple):
        return names[float]
    return names[expected]


def suppressions(text: str, codes: Collection[str]) -> dict[int, frozenset[str] | None]:
    """Line -> codes suppressed there by a `# graphfix: ignore[...]` comment (None: all codes).
    Comments only: the same words inside a string do not count."""
    found: dict[int, frozenset[str] | None] = {}
    if "graphfix" not in text:
        return found
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return found
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        match = SUPPRESSION.search(token.string)
        if match is None:
            continue
        line = token.start[0]
        listed = match.group("codes")
        if listed is None:
            found[line] = None
            continue
        where = f"line {line}: # graphfix: ignore[...]"
        found[line] = expand_codes([c for c in listed.split(",") if c.strip()] or [""], codes, where)
    return found


def suppressed(line: int, code: str, table: dict[int, frozenset[str] | None]) -> bool:
    if line not in table:
        return False
    chosen = table[line]
    return chosen is None or code in chosen


def resolve_python(targets: list[Path]) -> str:
    """This interpreter when it can import TensorFlow; else the nearest project virtualenv
    (`.venv` or `venv`, from the targets upward), as in a pre-commit hook's own environment."""
    if importlib.util.find_spec("tensorflow") is not None:
        return sys.executable
    start = Path(os.path.abspath(targets[0] if targets else Path.cwd()))
    for directory in (start if start.is_dir() else start.parent, *start.parents):
        for name in (".venv", "venv"):
            candidate = directory / name / "bin" / "python"
            if candidate.exists():
                return str(candidate)
    return sys.executable
