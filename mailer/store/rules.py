"""Segment rules as small immutable trees that compile to one SQL condition on subscribers.

A rule is a Condition (field in values), or All / Any / Not of rules. Values are already
validated and normalized by mailer.audiences (school ids, grade codes, language codes,
topics); a school `level` has already become the list of its schools. A family whose school
or grade the roster gave but nobody knows (subscriber_unknown) matches no school, level or
grade condition: it is reached by segments without one (all-families, languages, topics).
A family with `all_topics` matches every topic condition.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dataclass_field

from sqlalchemy import and_, exists, false, not_, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from mailer.store.tables import subscribers, subscriber_grades, subscriber_schools, subscriber_topics, subscriptions

FIELDS = {"language": None, "school": (subscriber_schools, "school"),
          "grade": (subscriber_grades, "grade"), "topic": (subscriber_topics, "topic")}


class Rule:
    def clause(self) -> ColumnElement[bool]:
        raise NotImplementedError

    def describe(self) -> str:
        """The rule in words, e.g. "language es and school aiken or hall"."""
        raise NotImplementedError


@dataclass(frozen=True)
class Condition(Rule):
    """The subscriber's `field` (language, school, grade or topic) is one of `values`."""

    field: str
    values: tuple[str, ...]
    label: str = dataclass_field(default="", compare=False)  # how the rule was written, e.g. "level elementary"

    def describe(self):
        return self.label or f"{self.field} {' or '.join(self.values) or '(none)'}"

    def clause(self):
        if self.field == "language":
            return subscribers.c.language.in_(self.values)
        if not self.values:
            return false()
        table, column = FIELDS[self.field]
        found = exists(select(table.c.subscriber_id).where(
            table.c.subscriber_id == subscribers.c.id, table.c[column].in_(self.values)).correlate(subscribers))
        return or_(subscribers.c.all_topics, found) if self.field == "topic" else found


@dataclass(frozen=True)
class All(Rule):
    rules: tuple[Rule, ...]

    def describe(self):
        return " and ".join(_grouped(r) for r in self.rules) or "every family"

    def clause(self):
        return and_(true(), *(rule.clause() for rule in self.rules))


@dataclass(frozen=True)
class Any(Rule):
    rules: tuple[Rule, ...]

    def describe(self):
        return " or ".join(_grouped(r) for r in self.rules)

    def clause(self):
        return or_(*(rule.clause() for rule in self.rules))


@dataclass(frozen=True)
class Not(Rule):
    rule: Rule

    def describe(self):
        return f"not {_grouped(self.rule)}"

    def clause(self):
        return not_(self.rule.clause())


EVERYONE = All(())


def _grouped(rule: Rule) -> str:
    text = rule.describe()
    return f"({text})" if isinstance(rule, (All, Any)) and len(rule.rules) > 1 else text


@dataclass(frozen=True)
class Follows(Rule):
    """The family follows `publication`: a "subscribed" row in subscriptions, or, for a publication
    every family gets unless they leave it (`default_subscribe: true`), no row at all."""

    publication: str
    by_default: bool = True

    def describe(self):
        return f"follows {self.publication}"

    def clause(self):
        def row(*where):
            return exists(select(subscriptions.c.subscriber_id).where(
                subscriptions.c.subscriber_id == subscribers.c.id, subscriptions.c.publication == self.publication,
                *where).correlate(subscribers))
        chosen = row(subscriptions.c.status == "subscribed")
        return or_(chosen, ~row()) if self.by_default else chosen


def clause_for(segment) -> ColumnElement[bool]:
    """The SQL condition for a Segment, a Rule, or None (everyone)."""
    rule = segment if segment is None or isinstance(segment, Rule) else segment.rule
    return (rule or EVERYONE).clause()
