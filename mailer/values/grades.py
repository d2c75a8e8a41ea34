"""Grade levels as rosters write them ("KG", "Kindergarten", "03", "3rd", "Grade 3") -> PK, K, 1..12."""
from __future__ import annotations

import re
from functools import lru_cache

GRADES: tuple[str, ...] = ("PK", "K", *(str(n) for n in range(1, 13)))

_WORDS = {
    "pk": "PK", "prek": "PK", "prekindergarten": "PK", "preschool": "PK", "p": "PK", "p3": "PK", "p4": "PK",
    "k": "K", "kg": "K", "kf": "K", "kh": "K", "kindergarten": "K", "kinder": "K", "0": "K", "00": "K",
}


@lru_cache(maxsize=1024)
def grade_code(value: str) -> str:
    """Normalize one grade, e.g. "KG" -> "K", "03" -> "3", "Grade 3" -> "3"; ValueError if unknown."""
    text = re.sub(r"[\s\-_.]+", "", str(value).strip().casefold())
    text = re.sub(r"^(grade|gr|g)(?=\w)", "", text)
    text = re.sub(r"(st|nd|rd|th)?(grade)?$", "", text) if re.match(r"^\d", text) else text
    if text in _WORDS:
        return _WORDS[text]
    if text.isdigit() and 1 <= int(text) <= 12:
        return str(int(text))
    raise ValueError(f"unknown grade '{value}'")


def expand_grades(value: str) -> list[str]:
    """A grade or a range of grades: "3" -> ["3"], "K-5" -> ["K", "1", ..., "5"]."""
    text = str(value).strip()
    match = re.fullmatch(r"(.+?)\s*(?:-|–|to)\s*(.+)", text)
    if match and not re.fullmatch(r"(?i)pre\s*-\s*k", text):
        first, last = GRADES.index(grade_code(match[1])), GRADES.index(grade_code(match[2]))
        if first > last:
            raise ValueError(f"grade range '{value}' runs backwards")
        return list(GRADES[first:last + 1])
    return [grade_code(text)]
