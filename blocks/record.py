"""An immutable bag of validated values that templates read as attributes."""
from __future__ import annotations


class Record:
    __slots__ = ("_values",)

    def __init__(self, values=None, **more):
        object.__setattr__(self, "_values", {**(values or {}), **more})

    def __getattr__(self, name):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        raise AttributeError("Record is immutable; use replace()")

    def __eq__(self, other):
        return isinstance(other, Record) and other._values == self._values

    def __hash__(self):
        return hash(tuple(sorted(self._values)))

    def __repr__(self):
        inner = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"Record({inner})"

    def get(self, name, default=None):
        return self._values.get(name, default)

    def keys(self):
        return self._values.keys()

    def replace(self, **changes) -> "Record":
        return Record({**self._values, **changes})
