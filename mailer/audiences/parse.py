"""Turn a segment's YAML rule into a mailer.rules tree, reporting every mistake with its key path."""
from __future__ import annotations

import difflib

from common.problems import Problem
from common.yaml_source import Located, display_path

from mailer.values.grades import GRADES, expand_grades
from mailer.values.languages import UnknownLanguage, language_code
from mailer.store.rules import All, Any, Condition, Not, Rule
from mailer.values.topics import TOPICS

VALUE_KEYS = ("language", "school", "level", "grade", "topic")
GROUP_KEYS = ("all", "any", "not")
LEVELS = ("elementary", "middle", "high")


class RuleParser:
    """Parses rules for one audiences.yaml; appends Problems instead of raising."""

    def __init__(self, doc: Located, audiences, problems: list[Problem]):
        self.doc = doc
        self.audiences = audiences
        self.problems = problems

    def problem(self, key: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(display_path(self.doc.path), key, message, hint, self.doc.line(key)))

    def parse(self, data, key: str) -> Rule | None:
        """A mapping of rule keys (all of which must hold) -> Rule; None after a problem."""
        if not isinstance(data, dict) or not data:
            self.problem(key, "expected a rule such as  language: es  or  all: [...]",
                         f"rule keys are: {', '.join(VALUE_KEYS + GROUP_KEYS)}")
            return None
        rules = []
        for name, value in data.items():
            child = f"{key}.{name}"
            if name in VALUE_KEYS:
                rules.append(self.condition(name, value, child))
            elif name in ("all", "any"):
                rules.append(self.group(name, value, child))
            elif name == "not":
                inner = self.group("any", value, child) if isinstance(value, list) else self.parse(value, child)
                rules.append(Not(inner) if inner else None)
            else:
                close = difflib.get_close_matches(str(name), VALUE_KEYS + GROUP_KEYS + ("description",), n=1)
                hint = f"did you mean '{close[0]}'?" if close else \
                    f"use description or rule keys: {', '.join(VALUE_KEYS + GROUP_KEYS)}"
                self.problem(child, f"unknown field '{name}'", hint)
                rules.append(None)
        if None in rules:
            return None
        return rules[0] if len(rules) == 1 else All(tuple(rules))

    def group(self, name: str, value, key: str) -> Rule | None:
        if not isinstance(value, list) or not value:
            self.problem(key, f"'{name}' needs a list of rules", f"write e.g.  {name}: [{{language: es}}, {{topic: foodshare}}]")
            return None
        rules = [self.parse(item, f"{key}[{i}]") for i, item in enumerate(value)]
        if None in rules:
            return None
        return All(tuple(rules)) if name == "all" else Any(tuple(rules))

    def condition(self, name: str, value, key: str) -> Rule | None:
        items = value if isinstance(value, list) else [value]
        if not items or any(isinstance(v, (dict, list, bool)) or v is None for v in items):
            self.problem(key, f"'{name}' needs a value or a list of values", f"write e.g.  {name}: {_example(name)}")
            return None
        values: list[str] = []
        for i, item in enumerate(items):
            where = f"{key}[{i}]" if isinstance(value, list) else key
            try:
                values += self.clean(name, str(item))
            except ValueError as e:
                message, _, hint = str(e).partition("; ")
                self.problem(where, message, hint)
                return None
        if name == "level":
            schools = tuple(s.id for s in self.audiences.schools.values() if s.level in values)
            return Condition("school", schools, label=f"level {' or '.join(values)}")
        return Condition(name, tuple(dict.fromkeys(values)))

    def clean(self, name: str, value: str) -> list[str]:
        if name == "language":
            try:
                return [language_code(value)]
            except UnknownLanguage as e:
                raise ValueError(f"unknown language '{value}'; " + (
                    f"did you mean {', '.join(e.suggestions)}?" if e.suggestions
                    else "use a code such as en, es, pt, ar, zh or a name such as Spanish")) from None
        if name == "school":
            return [self.audiences.school_id(value)]
        if name == "level":
            if value not in LEVELS:
                raise ValueError(f"unknown level '{value}'; use one of {', '.join(LEVELS)}")
            return [value]
        if name == "grade":
            try:
                return expand_grades(value)
            except ValueError as e:
                raise ValueError(f"{e}; grades are {', '.join(GRADES)}; a range is written K-5") from None
        if value not in TOPICS:
            close = difflib.get_close_matches(value, TOPICS, n=1)
            raise ValueError(f"unknown topic '{value}'; " +
                             (f"did you mean '{close[0]}'? " if close else "") + f"topics are {', '.join(TOPICS)}")
        return [value]


def _example(name: str) -> str:
    return {"language": "[es, pt]", "school": "aiken", "level": "elementary", "grade": "K-5",
            "topic": "foodshare"}[name]
