"""Counts of the bank per domain, topic, type and difficulty, as Markdown tables."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from quizapp.bank.loader import Bank
from quizapp.bank.schema import DOMAINS

START = "<!-- bank-stats:start -->"
END = "<!-- bank-stats:end -->"
_BLOCK = re.compile(re.escape(START) + r"\n(.*?)\n?" + re.escape(END), re.S)


def stats_markdown(bank: Bank) -> str:
    """Tables of question counts; topics grouped in one row per domain."""
    domain_of = {t.slug: t.domain for t in bank.topics}
    per_domain = Counter(domain_of[q.topic] for q in bank.questions)
    per_topic = Counter(q.topic for q in bank.questions)
    lines = [f"{len(bank.questions)} questions in {len(bank.topics)} topics.", "",
             "| domain | questions | topics (questions) |", "|---|---:|---|"]
    for domain, label in DOMAINS.items():
        topics = sorted(t.slug for t in bank.topics if t.domain == domain)
        listing = ", ".join(f"{slug} ({per_topic[slug]})" for slug in topics)
        lines.append(f"| {label} | {per_domain[domain]} | {listing} |")
    for name, counts in (("type", Counter(q.type for q in bank.questions)),
                         ("difficulty", Counter(str(q.difficulty) for q in bank.questions))):
        lines += ["", f"| {name} | questions |", "|---|---:|"]
        lines += [f"| {key} | {count} |" for key, count in sorted(counts.items())]
    return "\n".join(lines)


def readme_section(readme: str) -> str | None:
    """The stats block currently in a README, or None if it has no markers."""
    match = _BLOCK.search(readme)
    return match.group(1) if match else None


def update_readme(path: Path, bank: Bank) -> bool:
    """Rewrite the marked stats block in ``path``; return True if it changed."""
    text = path.read_text(encoding="utf-8")
    if readme_section(text) is None:
        raise ValueError(f"{path} has no {START} ... {END} block")
    new = _BLOCK.sub(lambda _: f"{START}\n{stats_markdown(bank)}\n{END}", text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text
