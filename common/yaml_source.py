"""Read YAML with line numbers for every key path, and without YAML 1.1 surprises.

Only `true`/`false`, decimal numbers and `null` are converted; everything else stays
a string, so `10:00` is not the number 600, `no` is not False, and dates are parsed
strictly by the block schemas instead of by YAML.

Every YAML file the project reads (issues, library blocks, publication.yaml, glossary.yaml,
audiences.yaml) comes through `load_yaml`, which refuses what could make reading it take the
machine down, each as a located Problem and before any work in proportion to it is done:

- files over `MAX_BYTES` (1 MB; an issue is a few kilobytes);
- aliases (`*name`, which repeat an anchored `&name` part): nine lines of them expand to
  billions of values ("billion laughs"), and no file here needs them;
- nesting deeper than `MAX_DEPTH` (50) lists and mappings: PyYAML's composer and every reader
  after it recurse once per level (a traceback at 1,000 levels, a crash at 30,000).

The document is built from the parser's event stream in one loop with its own stack (no
recursion), which is also where those limits are checked.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml
from yaml.composer import ComposerError
from yaml.events import (AliasEvent, DocumentEndEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent,
                         StreamEndEvent)
from yaml.nodes import ScalarNode

from common.problems import Problem

MAX_BYTES = 1_000_000   # far above any issue, publication or audiences file
MAX_DEPTH = 50          # lists and mappings inside each other; an issue needs about 6, a segment rule 10


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


def load_yaml(path: Path, *, max_bytes: int = MAX_BYTES,
              max_depth: int = MAX_DEPTH) -> tuple[Located | None, list[Problem]]:
    """Load `path`; on failure return the problems instead of raising."""
    shown = display_path(path)
    try:
        with open(path, "rb") as file:
            raw = file.read(max_bytes + 1)      # never more: a huge file is refused, not read
        if len(raw) > max_bytes:
            return None, [Problem(shown, "", f"the file is larger than {max_bytes:,} bytes, the most allowed",
                                  "no newsletter file is that large (an issue is a few kilobytes): check that "
                                  "this is the right file, and shorten or split it")]
        text = raw.decode("utf-8")
    except FileNotFoundError:
        return None, [Problem(shown, "", "file not found", "check the path; create the file if it is new")]
    except IsADirectoryError:
        return None, [Problem(shown, "", "this is a folder, not a file", "give the path of the YAML file")]
    except UnicodeDecodeError as e:
        return None, [Problem(shown, "", f"not UTF-8 text ({e.reason})", "save the file as UTF-8")]
    problems: list[Problem] = []
    try:
        data, lines = _read(text, shown, problems, max_depth)
    except _Refused as refused:
        return None, [refused.problem]
    except yaml.YAMLError as e:
        return None, [_yaml_problem(shown, e)]
    return Located(path, data, lines), problems


def _yaml_problem(shown: str, error: yaml.YAMLError) -> Problem:
    mark = getattr(error, "problem_mark", None)
    line = mark.line + 1 if mark else None
    reason = getattr(error, "problem", None) or str(error)
    if "'\\t'" in reason:
        return Problem(shown, "", "not valid YAML: a tab character where YAML allows only spaces",
                       "tab: use spaces for indentation (and after ':' and '-')", line)
    return Problem(shown, "", f"not valid YAML: {reason}",
                   "check indentation and quoting near this line; quote text containing ': ' or '#'", line)


class _Refused(Exception):
    """Reading stopped on something refused before it could cost anything (alias, depth)."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def _read(text: str, shown: str, problems: list[Problem], max_depth: int):
    """(data, lines) of the one document in `text`, with libyaml when it reads it; a YAMLError from
    the pure-Python parser for anything libyaml refuses, so problems read the same with or without it."""
    built = None
    if _FastLoader is not None:
        try:
            built = _build(_FastLoader, text, shown, max_depth)
        except yaml.YAMLError:
            pass
    data, lines, duplicates = built or _build(_StrictLoader, text, shown, max_depth)
    problems += duplicates
    return data, lines


_AWAITING_KEY = object()


class _Open:
    """A mapping or list being read: its key path (None inside a key), the line it starts on, and
    for a mapping the key whose value comes next."""
    __slots__ = ("container", "path", "line", "key", "child")

    def __init__(self, container, path: str | None, line: int):
        self.container, self.path, self.line = container, path, line
        self.key, self.child = _AWAITING_KEY, ""


def _build(loader_class, text: str, shown: str, max_depth: int):
    """(data, lines, duplicate-key problems): composed and constructed in one pass over the
    parser's events, with a stack instead of recursion, refusing aliases and deep nesting."""
    loader = loader_class(text)
    constructor = _StrictLoader("")     # one constructor per file (not per value: that is slow)
    lines: dict[str, int] = {}
    duplicates: list[Problem] = []
    stack: list[_Open] = []
    root = None
    try:
        loader.get_event()                              # stream start
        if loader.check_event(StreamEndEvent):
            return None, lines, duplicates
        document = loader.get_event()                   # document start
        while not loader.check_event(DocumentEndEvent):
            event = loader.get_event()
            line = event.start_mark.line + 1
            top = stack[-1] if stack else None
            if top is None:
                path = ""
            elif top.path is None or (isinstance(top.container, dict) and top.key is _AWAITING_KEY):
                path = None                             # a key, or inside one: no key path of its own
            elif isinstance(top.container, dict):
                path = top.child
            else:
                path = f"{top.path}[{len(top.container)}]"
            if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
                if len(stack) >= max_depth:
                    raise _Refused(Problem(
                        shown, stack[0].child if stack[0].path == "" and stack[0].key is not _AWAITING_KEY else "",
                        f"lists and mappings are nested more than {max_depth} levels deep",
                        "no newsletter file needs that many levels: look for brackets [ { that are never "
                        "closed, or indentation that keeps growing", line))
                if path is not None:
                    lines.setdefault(path, line)
                stack.append(_Open({} if isinstance(event, MappingStartEvent) else [], path, line))
                continue
            if isinstance(event, AliasEvent):
                raise _Refused(Problem(
                    shown, path or "", f"YAML aliases (*{event.anchor}) are not allowed",
                    f"write the value out in full where it is needed, without &{event.anchor} and "
                    f"*{event.anchor} (a few aliases can make a small file expand to gigabytes)", line))
            if isinstance(event, ScalarEvent):
                tag = event.tag
                if tag is None or tag == "!":
                    tag = constructor.resolve(ScalarNode, event.value, event.implicit)
                value = constructor.construct_object(
                    ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style), deep=True)
                if path is not None:
                    lines.setdefault(path, line)
            else:                                       # the end of a mapping or a list
                closed = stack.pop()
                value, line = closed.container, closed.line
            if not stack:
                root = value
                continue
            top = stack[-1]
            if isinstance(top.container, list):
                top.container.append(value)
            elif top.key is _AWAITING_KEY:
                name = str(value)
                top.key = name
                if top.path is not None:
                    top.child = f"{top.path}.{name}" if top.path else name
                    if name in top.container:
                        duplicates.append(Problem(shown, top.child, "this key appears twice; the second would "
                                                  "silently win", "keep only one of them", line))
                    lines[top.child] = line
            else:
                top.container[top.key] = value
                top.key = _AWAITING_KEY
        loader.get_event()                              # document end
        if not loader.check_event(StreamEndEvent):
            event = loader.get_event()
            raise ComposerError("expected a single document in the stream", document.start_mark,
                                "but found another document", event.start_mark)
        return root, lines, duplicates
    finally:
        loader.dispose()
