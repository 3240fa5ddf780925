"""YAML with line numbers, for error messages that point at the right line.

``yaml.safe_load`` forgets where each value came from. ``parse_yaml`` composes the
document with PyYAML's *safe* loader and returns a tree of :class:`Located` values that
remember their 1-based line, so config and front-matter errors can name the line.

Invariants:
- only the safe constructor is used: a ``!!python/...`` tag is an error, never executed;
- mappings must have string keys and no key twice;
- aliases are expanded at most :data:`MAX_NODES` times in total (no "billion laughs").
"""

from __future__ import annotations

from dataclasses import dataclass
import re
from typing import Any

import yaml

MAX_NODES = 10_000
MAX_DEPTH = 40

_SURROGATE = re.compile("[\ud800-\udfff]")
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class YamlError(ValueError):
    """A YAML document that cannot be used; ``line`` is 1-based (or None)."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Located:
    """A YAML value and the 1-based line it starts on.

    ``value`` is a ``dict[str, Located]``, a ``list[Located]`` or a plain scalar
    (str, int, float, bool, None, date, datetime).
    """

    value: Any
    line: int

    def plain(self) -> Any:
        """The value with all line information stripped (like ``yaml.safe_load``)."""
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value


_PLAIN_KEY_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "bool", "int", "float", "null", "timestamp"))


def parse_yaml(text: str, first_line: int = 1) -> Located | None:
    """Parse one YAML document into :class:`Located` values.

    Whatever the text holds, the only exception is :class:`YamlError`: control characters,
    nesting deeper than :data:`MAX_DEPTH`, merge keys with scalars, numbers too long to
    convert, lone surrogates — each becomes one message with a line where there is one.

    Args:
        text: the YAML source.
        first_line: the file line on which ``text`` starts (front matter starts on 2).

    Returns:
        The root value, or None for an empty document.

    Raises:
        YamlError: syntax errors, unsafe tags, duplicate or non-string keys.
    """
    offset = first_line - 1
    _check_nesting(text, offset)
    try:
        loader = yaml.SafeLoader(text)  # the reader refuses control characters here
    except yaml.YAMLError as exc:
        raise _error(exc, text, offset) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        budget = [MAX_NODES]
        return _convert(loader, node, offset, 0, budget)
    except YamlError:
        raise
    except yaml.YAMLError as exc:
        raise _error(exc, text, offset) from None
    except RecursionError:
        raise YamlError("YAML document is too deeply nested", None) from None
    finally:
        loader.dispose()


def _error(exc: yaml.YAMLError, text: str, offset: int) -> YamlError:
    """One line for any PyYAML error, with the line where PyYAML knows it."""
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, max(0, exc.position)) + 1 + offset
        return YamlError(f"character U+{exc.character:04X} is not allowed in YAML (a control character); "
                         "remove it", line) if isinstance(exc.character, int) else YamlError(
                         "unreadable character in YAML; save the file as UTF-8", line)
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + offset if mark else None
        problem = exc.problem or exc.context or "syntax error"
        if "could not determine a constructor" in problem:
            problem = "unsafe or unknown YAML tag is not allowed"
        elif "expected a mapping" in problem or "merge" in (exc.context or ""):
            problem = f"'<<' (merge) needs a mapping: {problem}"
        return YamlError(f"YAML syntax error: {problem}", line)
    return YamlError(f"YAML error: {str(exc)[:200]}", None)


def _check_nesting(text: str, offset: int) -> None:
    """Refuse deeply nested flow collections before PyYAML recurses into them."""
    depth = 0
    line = 1
    for char in text:
        if char == "\n":
            line += 1
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlError("YAML document is too deeply nested", line + offset)
        elif char in "]}":
            depth = max(0, depth - 1)


def _convert(loader: yaml.SafeLoader, node: yaml.Node, offset: int, depth: int,
             budget: list[int]) -> Located:
    line = node.start_mark.line + 1 + offset
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise YamlError("YAML document is too large or too deeply nested", line)
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP_TAG:
            raise YamlError(f"unsupported YAML tag {node.tag!r}", line)
        result: dict[str, Located] = {}
        first_seen: dict[str, int] = {}
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1 + offset
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError("a key must be a plain word, not a list or mapping", key_line)
            # Keys are words as written: YAML 1.1 would turn `on:` / `off:` / `yes:` into booleans.
            if key_node.tag not in _PLAIN_KEY_TAGS:
                _scalar(loader, key_node, offset)  # refuses unsafe or unknown tags with their line
            key = str(key_node.value)
            if key in result:
                raise YamlError(
                    f"key {key!r} appears twice (lines {first_seen[key]} and {key_line}); keep one",
                    key_line)
            first_seen[key] = key_line
            value = _convert(loader, value_node, offset, depth + 1, budget)
            # Report a value on its key's line: that is where people look (also for a block
            # value on the following lines, so an unknown section names its own line).
            result[key] = Located(value.value, key_line)
        return Located(result, line)
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ_TAG:
            raise YamlError(f"unsupported YAML tag {node.tag!r}", line)
        return Located([_convert(loader, n, offset, depth + 1, budget) for n in node.value], line)
    return Located(_scalar(loader, node, offset), line)


def _scalar(loader: yaml.SafeLoader, node: yaml.Node, offset: int) -> Any:
    try:
        value = loader.construct_object(node, deep=True)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or node.start_mark
        problem = exc.problem or "cannot read value"
        if "could not determine a constructor" in problem:
            problem = f"unsafe or unknown YAML tag {node.tag!r} is not allowed"
        raise YamlError(problem, mark.line + 1 + offset) from None
    except (ValueError, TypeError, OverflowError) as exc:
        if node.tag == _TIMESTAMP_TAG and isinstance(node.value, str):
            # Looks like a date but is no real one (2026-02-30): keep the text, so the
            # caller's validation names the key and says what is expected.
            return node.value
        raise YamlError(f"cannot read value: {str(exc)[:120]}", node.start_mark.line + 1 + offset) from None
    if isinstance(value, str) and _SURROGATE.search(value):
        raise YamlError("text contains an invalid character (a lone UTF-16 surrogate)",
                        node.start_mark.line + 1 + offset)
    return value
