"""Problems found in a build, reported as ``path:line: error: message`` all at once.

Stages never print and never raise on bad input: they add a Diagnostic to the
collector passed to them and carry on, so one build reports every problem it has.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"  # worth knowing, nothing wrong: e.g. a redirect written for a moved URL


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int | None
    severity: Severity
    message: str
    hint: str | None = None
    col: int | None = None
    rule: str | None = None

    def format(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        label = self.rule or self.severity.value
        text = f"{where}: {label}: {self.message}"
        if self.rule:
            text = f"{where}: {self.severity.value}: {self.rule}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


@dataclass
class Diagnostics:
    """Collects diagnostics; ``has_errors`` decides the exit code."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, path: str, line: int | None, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(path, line, Severity.ERROR, message, hint))

    def warning(self, path: str, line: int | None, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(path, line, Severity.WARNING, message, hint))

    def info(self, path: str, line: int | None, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(path, line, Severity.INFO, message, hint))

    def add(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def __iter__(self) -> Iterator[Diagnostic]:
        # Stable, readable order: by file, then line; errors before warnings on one line.
        return iter(sorted(self.items, key=lambda d: (d.path, d.line or 0, d.severity.value != "error")))

    def __len__(self) -> int:
        return len(self.items)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest known word, or None when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None
