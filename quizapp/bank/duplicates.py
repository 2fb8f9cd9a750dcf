"""Find questions that say the same thing: Jaccard similarity of normalised word shingles."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import combinations

from quizapp.bank.loader import Bank
from quizapp.bank.loader import Problem
from quizapp.bank.schema import BankQuestion

SHINGLE_SIZE = 3
THRESHOLD = 0.4
_WORD = re.compile(r"[a-z0-9]+")
_MATH = re.compile(r"\$+[^$]*\$+")


@dataclass(frozen=True)
class NearDuplicate:
    first: BankQuestion
    second: BankQuestion
    similarity: float


def question_text(question: BankQuestion) -> str:
    """The words that make a question what it is: its body plus any options."""
    parts = [question.body]
    parts += [choice["text"] for choice in question.payload.get("choices", [])]
    return " ".join(parts)


def shingles(text: str, size: int = SHINGLE_SIZE) -> frozenset[tuple[str, ...]]:
    """Overlapping word n-grams of case-folded, accent-stripped text (math kept as words)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = _WORD.findall(_MATH.sub(lambda m: " " + m.group(0) + " ", text))
    if len(words) < size:
        return frozenset({tuple(words)}) if words else frozenset()
    return frozenset(tuple(words[i:i + size]) for i in range(len(words) - size + 1))


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def near_duplicates(bank: Bank, threshold: float = THRESHOLD) -> list[NearDuplicate]:
    """Every pair of questions whose shingle sets overlap at least ``threshold``."""
    sets = [(q, shingles(question_text(q))) for q in bank.questions]
    found = []
    for (q1, s1), (q2, s2) in combinations(sets, 2):
        smaller, larger = sorted((len(s1), len(s2)))
        if not smaller or smaller / larger < threshold:
            continue  # Jaccard cannot reach the threshold
        similarity = jaccard(s1, s2)
        if similarity >= threshold:
            found.append(NearDuplicate(q1, q2, similarity))
    return sorted(found, key=lambda d: -d.similarity)


def duplicate_problems(bank: Bank, threshold: float = THRESHOLD) -> list[Problem]:
    return [
        Problem(d.second.source, f"says nearly the same as '{d.first.uid}' in {d.first.source} "
                                 f"({d.similarity:.0%} of word triples shared)",
                question=d.second.uid, field="body")
        for d in near_duplicates(bank, threshold)
    ]
