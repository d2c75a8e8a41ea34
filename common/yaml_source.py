"""Read YAML with line numbers for every key path, and without YAML 1.1 surprises.

Only `true`/`false`, decimal numbers and `null` are converted; everything else stays
a string, so `10:00` is not the number 600, `no` is not False, and dates are parsed
strictly by the block schemas instead of by YAML.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from common.problems import Problem


class _StrictLoader(yaml.SafeLoader):
    pass


_StrictLoader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    ("tag:yaml.org,2002:float", r"^[-+]?(?:[0-9]+\.[0-9]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
]:
    _StrictLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))

# The same rules on libyaml's parser, when PyYAML has it: about 20 times faster (the live
# preview reads the issue on every save).
_FastLoader = type("_FastLoader", (yaml.CSafeLoader,), {
    "yaml_implicit_resolvers": _StrictLoader.yaml_implicit_resolvers}) if yaml.__with_libyaml__ else None


def _compose(text: str):
    """The document's node tree; a YAMLError from the pure-Python parser for anything libyaml
    refuses, so problems read the same with or without libyaml."""
    if _FastLoader is not None:
        try:
            return yaml.compose(text, Loader=_FastLoader)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=_StrictLoader)


class Located:
    """A document loaded from YAML, with the line of every key path in it."""

    def __init__(self, path: Path, data, lines: dict[str, int]):
        self.path = path
        self.data = data
        self.lines = lines

    def line(self, key: str) -> int | None:
        """The line of `key` or of its nearest parent that has one."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = _parent(key)
        return self.lines.get("")


def _parent(key: str) -> str:
    cut = max(key.rfind("."), key.rfind("["))
    return key[:cut] if cut > 0 else ""


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_yaml(path: Path) -> tuple[Located | None, list[Problem]]:
    """Load `path`; on failure return the problems instead of raising."""
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(shown, "", "file not found", "check the path; create the file if it is new")]
    except UnicodeDecodeError as e:
        return None, [Problem(shown, "", f"not UTF-8 text ({e.reason})", "save the file as UTF-8")]
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    try:
        node = _compose(text)
        scalar = _StrictLoader("").construct_object   # one constructor per file (not per value: that is slow)
        data = _convert(node, "", lines, problems, shown, scalar) if node is not None else None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(e, "problem", None) or str(e)
        return None, [Problem(shown, "", f"not valid YAML: {reason}",
                              "check indentation and quoting near this line; quote text containing ': ' or '#'",
                              line)]
    return Located(path, data, lines), problems


def _convert(node, key, lines, problems, shown, scalar):
    lines.setdefault(key, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result = {}
        for key_node, value_node in node.value:
            name = str(scalar(key_node, deep=True))
            child = f"{key}.{name}" if key else name
            if name in result:
                problems.append(Problem(shown, child, "this key appears twice; the second would silently win",
                                        "keep only one of them", key_node.start_mark.line + 1))
            lines[child] = key_node.start_mark.line + 1
            result[name] = _convert(value_node, child, lines, problems, shown, scalar)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, f"{key}[{i}]", lines, problems, shown, scalar) for i, item in enumerate(node.value)]
    return scalar(node, deep=True)
