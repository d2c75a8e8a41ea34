"""Two versions of an issue side by side, block by block (matched by id), for the save that was
refused because the file changed since it was opened."""
from __future__ import annotations

from dataclasses import dataclass

from ruamel.yaml.comments import CommentedMap

from studio import documents


@dataclass(frozen=True)
class Pair:
    name: str
    theirs: str          # "" when their version has no such block
    mine: str

    @property
    def same(self) -> bool:
        return self.theirs == self.mine


def _name(block) -> str:
    if isinstance(block, dict):
        return str(block.get("id") or block.get("include") or "?")
    return "?"


def _text(value) -> str:
    if value is None:
        return ""
    return documents.dump(value).strip() if isinstance(value, (dict, list)) else str(value)


def block_pairs(theirs, mine) -> list[Pair]:
    settings = [Pair("Issue settings", _text(_settings(theirs)), _text(_settings(mine)))]
    their_blocks = {_name(b): b for b in theirs.get("blocks") or []}
    my_blocks = {_name(b): b for b in mine.get("blocks") or []}
    order = list(dict.fromkeys([*my_blocks, *their_blocks]))
    return settings + [Pair(name, _text(their_blocks.get(name)), _text(my_blocks.get(name))) for name in order]


def _settings(data):
    kept = CommentedMap()
    for key, value in data.items():
        if key != "blocks":
            kept[key] = value
    return kept
