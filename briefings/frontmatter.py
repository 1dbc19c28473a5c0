"""The only importer of yaml: split a file into front matter and body, parse the front matter.

Front matter is YAML between `---` lines (or TOML between `+++`). We keep the line of each
top-level key so later checks can point at it, and the body's first line so Markdown
problems map back to file lines.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

import yaml

try:  # The C loader is about 4x faster; the pure-Python one gives the same data.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class _FrontLoader(_Loader):  # type: ignore[misc,valid-type]
    """The safe loader, with impossible dates (`2026-13-40`) as YAML errors at their line, not ValueError."""


class _ImpossibleDate(yaml.constructor.ConstructorError):
    pass


def _timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise _ImpossibleDate(None, None, f"{node.value} is not a real date or time ({exc})",
                              node.start_mark) from None


_FrontLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


class FrontMatterError(ValueError):
    def __init__(self, line: int | None, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Document:
    front: dict[str, Any]
    key_lines: dict[str, int]
    body: str
    body_line: int  # 1-based line of the file where the body starts


_FENCES = {"---": "yaml", "+++": "toml"}


def split(text: str) -> Document:
    """Parse ``text`` (already decoded, LF line ends) into front matter and body."""
    first, _, rest = text.partition("\n")
    fence = first.rstrip()
    if fence not in _FENCES:
        raise FrontMatterError(1, "missing front matter",
                               "start the file with a `---` line, then `title:` and `date:`, then `---`")
    closing = re.search(rf"^{re.escape(fence)}[ \t]*$", rest, re.MULTILINE)
    if closing is None:
        raise FrontMatterError(1, f"front matter opened with `{fence}` is never closed",
                               f"add a `{fence}` line after the last key")
    raw = rest[: closing.start()]
    body = rest[closing.end():].removeprefix("\n")
    body_line = 2 + raw.count("\n") + 1
    if _FENCES[fence] == "yaml":
        front, key_lines = _parse_yaml(raw)
    else:
        front, key_lines = _parse_toml(raw)
    return Document(front, key_lines, body, body_line)


def _parse_yaml(raw: str) -> tuple[dict[str, Any], dict[str, int]]:
    if not raw.strip():
        return {}, {}
    loader = _FrontLoader(raw)
    try:
        node = loader.get_single_node()
        loader._root = node  # for _key_at: which key an error inside the document belongs to
        data = loader.construct_document(node) if node is not None else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        if isinstance(exc, _ImpossibleDate):
            key = _key_at(loader, mark.line) if mark is not None else None
            raise FrontMatterError(line, f"`{key}`: {problem}" if key else problem,
                                   "write it as YYYY-MM-DD, or YYYY-MM-DDTHH:MM") from None
        raise FrontMatterError(line, f"invalid YAML in front matter: {problem}",
                               "check quotes and the indentation of lists") from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(None, f"invalid YAML in front matter: {exc}") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # A value YAML's grammar allows but Python cannot hold: 2023-02-30, !!int 3.5, a
        # number of 5,000 digits. Found again, value by value, to name its key and line.
        raise _unholdable(node, exc) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise FrontMatterError(2, "front matter must be `key: value` lines",
                               f"got a {type(data).__name__}")
    key_lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            # +2: node lines are 0-based and the front matter starts after the `---` line.
            key_lines[str(key_node.value)] = key_node.start_mark.line + 2
    return {str(k): v for k, v in data.items()}, key_lines


def _key_at(loader: Any, line: int) -> str | None:
    """The top-level key whose value spans ``line`` (0-based) of the front matter, if any."""
    root = getattr(loader, "_root", None)
    for key_node, value_node in root.value if isinstance(root, yaml.MappingNode) else ():
        if key_node.start_mark.line <= line <= value_node.end_mark.line:
            return str(key_node.value)
    return None


_KINDS = {"tag:yaml.org,2002:timestamp": "a date", "tag:yaml.org,2002:int": "a whole number",
          "tag:yaml.org,2002:float": "a number"}
_HINTS = {"a date": "write it as 2023-06-15 or 2023-06-15T09:00:00+08:00",
          "a whole number": "quote it to keep it as text", "a number": "quote it to keep it as text"}


def _unholdable(node: yaml.Node | None, exc: Exception) -> FrontMatterError:
    """The error for the first value under ``node`` that cannot be constructed, at its key and line."""
    pairs = node.value if isinstance(node, yaml.MappingNode) else []
    for key_node, value_node in pairs:
        bad = _first_bad_scalar(key_node) or _first_bad_scalar(value_node)
        if bad is not None:
            scalar, problem = bad
            kind = _KINDS.get(scalar.tag, "a value")
            shown = scalar.value if len(scalar.value) <= 40 else scalar.value[:40] + "…"
            if "digits" in problem:
                problem = f"a number of {len(scalar.value):,} digits is too long"
            return FrontMatterError(scalar.start_mark.line + 2,
                                    f"`{key_node.value}`: cannot read {shown!r} as {kind}: {problem}",
                                    _HINTS.get(kind, "quote the value to keep it as text"))
    line = node.start_mark.line + 2 if node is not None else None
    return FrontMatterError(line, f"invalid value in front matter: {exc}")


def _first_bad_scalar(node: yaml.Node) -> tuple[yaml.ScalarNode, str] | None:
    pending, seen = [node], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue  # an alias back to an enclosing node
        seen.add(id(current))
        if isinstance(current, yaml.ScalarNode):
            loader = _Loader("")
            try:
                loader.construct_object(current, deep=True)
            except (ValueError, TypeError, OverflowError, yaml.YAMLError) as exc:
                return current, str(exc)
            finally:
                loader.dispose()
        elif isinstance(current, yaml.SequenceNode):
            pending.extend(reversed(current.value))
        elif isinstance(current, yaml.MappingNode):
            pending.extend(reversed([n for pair in current.value for n in pair]))
    return None


def _parse_toml(raw: str) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) + 1 if found else None
        raise FrontMatterError(line, f"invalid TOML in front matter: {exc}") from None
    except RecursionError:  # tomllib reads nested arrays and tables by recursion
        deep = re.search(r"[\[{]{50}", raw)
        line = raw.count("\n", 0, deep.start()) + 2 if deep else None
        raise FrontMatterError(line, "front matter nested too deeply",
                               "a value of lists inside lists hundreds deep is not a briefing's") from None
    key_lines: dict[str, int] = {}
    for number, line_text in enumerate(raw.split("\n"), start=2):
        match = re.match(r'\s*"?([\w-]+)"?\s*=', line_text)
        if match and match.group(1) not in key_lines:
            key_lines[match.group(1)] = number
    return data, key_lines


def dump_yaml(front: dict[str, Any]) -> str:
    """Front-matter lines for ``front``, in its order: Chinese as written, short lists inline, no folding."""
    return yaml.safe_dump(front, allow_unicode=True, sort_keys=False, default_flow_style=None, width=10**6)
