"""issue.yaml read and written round-trip (ruamel.yaml): comments, key order, quoting and the
layout of every part not edited stay as they were, so hand edits and studio edits coexist.

Scalars are read by the project's own rules (common/yaml_source.py): only true/false, whole and
decimal numbers and null are typed, everything else is text, so `10:00` or `2021-10-14` are
written back exactly as they were read. Paths are the keys `check` reports: blocks[3].links[0].url.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import LiteralScalarString, ScalarString

_RULES: dict = {}
for _tag, _pattern, _first in [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    ("tag:yaml.org,2002:float", r"^[-+]?(?:[0-9]+\.[0-9]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
]:
    for _char in _first:
        _RULES.setdefault(_char, []).append((_tag, re.compile(_pattern)))


class _ProjectResolver(VersionedResolver):
    """The implicit types of common/yaml_source.py, for reading and for quoting on writing."""

    @property
    def versioned_resolver(self):
        made = self.__dict__.get("_project_rules")      # asked for every scalar: made once per resolver
        if made is None:
            made = self.__dict__["_project_rules"] = {char: list(rules) for char, rules in _RULES.items()}
        return made


def _yaml() -> YAML:
    yaml = YAML()                     # round-trip; one per use (a YAML object is not thread-safe)
    yaml.Resolver = _ProjectResolver
    yaml.preserve_quotes = True
    yaml.width = 10_000
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load(text: str):
    data = _yaml().load(text)
    return data if data is not None else CommentedMap()


def dump(data) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def patch_scalar(text: str, data, key: str, value) -> str | None:
    """`text` with the one-line value at `key` replaced by `value`, written as dump() would write it,
    the rest untouched to the byte; None when that cannot be done safely (then dump the whole data).
    `data` must be what `text` parses to, with its line and column marks, before `value` is put.
    Writing the whole document with ruamel.yaml takes ~100 ms for the sample; this, well under 1 ms."""
    parts = parse_path(key)
    if not parts or not isinstance(value, str) or isinstance(value, LiteralScalarString) or "\n" in value \
            or value == "":
        return None
    parent, last = get(data, parts[:-1]) if len(parts) > 1 else data, parts[-1]
    try:
        if isinstance(parent, CommentedMap) and isinstance(last, str) and last in parent:
            line, column = parent.lc.value(last)
        elif isinstance(parent, CommentedSeq) and isinstance(last, int) and last < len(parent):
            line, column = parent.lc.item(last)
        else:
            return None
    except (KeyError, TypeError, AttributeError):
        return None
    old = parent[last]
    if parent.fa.flow_style() or not isinstance(old, str) or isinstance(old, LiteralScalarString) or "\n" in old:
        return None
    if isinstance(old, ScalarString) and not isinstance(value, ScalarString):
        value = type(old)(value)              # ruamel.yaml keeps a replaced value's quoting: so does dump()
    was, now = _one_line(old), _one_line(value)
    lines = text.split("\n")
    if was is None or now is None or line >= len(lines):
        return None
    rest = lines[line][column + len(was):]
    if not lines[line][column:].startswith(was) or rest.strip():      # a comment after it: dump() aligns it
        return None
    lines[line] = lines[line][:column] + now + rest
    return "\n".join(lines)


def _one_line(value: str) -> str | None:
    """How dump() writes `value` as a mapping's value, if on one line."""
    written = dump({"k": value})
    if not written.startswith("k: ") or written.count("\n") != 1:
        return None
    return written[3:-1]


def digest(text: str | bytes) -> str:
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()


def file_digest(path: Path) -> str:
    try:
        return digest(Path(path).read_bytes())
    except FileNotFoundError:
        return ""


def write_atomic(path: Path, text: str) -> None:
    """The whole new file or the old one, never half of it (written beside it, then renamed)."""
    write_atomic_bytes(path, text.encode("utf-8"))


def write_atomic_bytes(path: Path, content: bytes) -> None:
    path = Path(path)
    handle, staging = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(staging, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(key: str) -> list[str | int]:
    """blocks[3].links[0].url -> ['blocks', 3, 'links', 0, 'url']"""
    parts: list[str | int] = []
    for name, index in _PART.findall(key):
        parts.append(int(index) if index else name)
    return parts


def join(parts) -> str:
    key = ""
    for part in parts:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else part)
    return key


def get(data, key: str | list, default=None):
    node = data
    for part in parse_path(key) if isinstance(key, str) else key:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return default
    return node


def put(data, key: str, value) -> bool:
    """Set the value at `key` (None or "" removes it); intermediate mappings are made. True if it changed."""
    parts = parse_path(key)
    node = data
    for part, following in zip(parts, parts[1:]):
        child = node[part] if _has(node, part) else None
        if not isinstance(child, (dict, list)):
            if value in (None, ""):
                return False
            child = CommentedSeq() if isinstance(following, int) else CommentedMap()
            node[part] = child
        node = child
    last = parts[-1]
    if value in (None, ""):
        if isinstance(node, dict) and last in node:
            del node[last]
            return True
        if isinstance(node, list) and last < len(node) and node[last] not in (None, ""):
            node[last] = ""
            return True
        return False
    if _has(node, last) and node[last] == value and isinstance(node[last], bool) == isinstance(value, bool):
        return False
    if isinstance(node, list) and last >= len(node):
        node.extend([""] * (last + 1 - len(node)))
    node[last] = value
    return True


def _has(node, part) -> bool:
    return (isinstance(node, dict) and part in node) or (isinstance(node, list) and isinstance(part, int)
                                                         and part < len(node))


def paragraphs(text: str):
    """Text from a textarea as YAML keeps paragraphs: a `|` block when it has several lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\n" not in text.strip():
        return text.strip()
    return LiteralScalarString(text.rstrip() + "\n")
