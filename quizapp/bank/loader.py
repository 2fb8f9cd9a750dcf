"""Read and validate bank files, reporting every problem with file, question id and field."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from quizapp.bank.limits import printable
from quizapp.bank.limits import text_problems
from quizapp.bank.safe_yaml import FileTooLarge
from quizapp.bank.safe_yaml import parse_bank_yaml
from quizapp.bank.safe_yaml import read_bank_text
from quizapp.bank.schema import COMMON_FIELDS
from quizapp.bank.schema import BankFile
from quizapp.bank.schema import BankQuestion
from quizapp.bank.schema import BankTopic
from quizapp.bank.schema import QuestionCommon
from quizapp.grading.registry import REGISTRY


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the bank."""

    file: str
    message: str
    question: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.question:
            where += f": question '{self.question}'"
        if self.field:
            where += f": field '{self.field}'"
        return f"{where}: {self.message}"


@dataclass
class Bank:
    """All topics and questions found, plus every problem met on the way."""

    topics: list[BankTopic] = field(default_factory=list)
    questions: list[BankQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def content_hash(question: BankQuestion) -> str:
    """A stable digest of a question's content, used to detect edits."""
    canonical = json.dumps(question.content(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


BANK_SUFFIXES = {".yaml", ".yml"}


def bank_files(root: Path) -> tuple[list[Path], list[Path]]:
    """The YAML files of the bank under ``root`` (or ``root`` itself if a file), and those
    that look meant for it but would be skipped (``.YAML``, ``.Yml``: a renamed file's
    questions would be retired without a word), in one walk of the tree."""
    if root.is_file():
        return [root], []
    files: list[Path] = []
    misnamed: list[Path] = []
    for path in root.rglob("*"):
        if path.suffix.lower() in BANK_SUFFIXES and path.is_file():
            (files if path.suffix in BANK_SUFFIXES else misnamed).append(path)
    return sorted(files), sorted(misnamed)


def load_bank(root: Path, display_root: Path | None = None) -> Bank:
    """Load every file under ``root``; check cross-file rules (unique uids and topics)."""
    bank = Bank()
    base = display_root or (root if root.is_dir() else root.parent)
    try:
        files, misnamed = bank_files(root)
        bank.problems.extend(Problem(_display(path, base), "bank files end in .yaml or .yml "
                                     "(lowercase); rename it, or it is skipped")
                             for path in misnamed)
    except RecursionError:
        files = []
        bank.problems.append(Problem(str(root), "the bank's folders are nested too deep"))
    if not files:
        bank.problems.append(Problem(str(root), "no .yaml question files found"))
    for path in files:
        shown = _display(path, base)
        _load_file(path, shown, bank)
    _check_unique(bank)
    return bank


def _display(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base.parent))
    except ValueError:
        return str(path)


_UNREADABLE = object()


def _read(path: Path, shown: str, bank: Bank) -> Any:
    """Parse the file within the limits; on failure record a problem, return _UNREADABLE."""
    text = ""
    try:
        text = read_bank_text(path)
        return parse_bank_yaml(text)
    except yaml.reader.ReaderError as exc:  # a character YAML refuses: located by offset
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - text.rfind("\n", 0, exc.position)
        bank.problems.append(Problem(shown, f"invalid YAML (line {line}, column {column}): "
                                            f"the character U+{exc.character:04X} is not "
                                            "allowed; remove it"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        bank.problems.append(Problem(shown, f"invalid YAML{line}: {getattr(exc, 'problem', exc)}"))
    except FileTooLarge as exc:
        bank.problems.append(Problem(shown, str(exc)))
    except (OSError, UnicodeDecodeError) as exc:
        bank.problems.append(Problem(shown, f"cannot read file: {exc}"))
    except (ValueError, OverflowError, RecursionError) as exc:  # what YAML reads but Python
        # cannot hold; the loader reports the known cases with their line (safe_yaml)
        bank.problems.append(Problem(shown, f"invalid YAML: {printable(str(exc), 200)}"))
    return _UNREADABLE


def _load_file(path: Path, shown: str, bank: Bank) -> None:
    raw = _read(path, shown, bank)
    if raw is _UNREADABLE:
        return
    if not isinstance(raw, dict):
        bank.problems.append(Problem(shown, "the file must be a mapping with 'domain', "
                                            "'topic', 'title' and 'questions'"))
        return
    bank.problems.extend(Problem(shown, message, field=name)
                         for name, message in text_problems(raw, skip="questions"))
    try:
        meta = BankFile.model_validate(raw)
    except ValidationError as exc:
        bank.problems.extend(_problems(shown, None, exc))
        return
    _check_location(path, shown, meta, bank)
    bank.topics.append(BankTopic(slug=meta.topic, domain=meta.domain, title=meta.title,
                                 description=meta.description, source=shown))
    for index, item in enumerate(meta.questions):
        question = _load_question(shown, meta.topic, index, item, bank)
        if question is not None:
            bank.questions.append(question)


def _check_location(path: Path, shown: str, meta: BankFile, bank: Bank) -> None:
    if path.stem != meta.topic:
        bank.problems.append(Problem(shown, f"file name must match the topic "
                                            f"('{meta.topic}.yaml')", field="topic"))
    if path.parent.name != meta.domain:
        bank.problems.append(Problem(shown, f"file must live in the '{meta.domain}/' folder "
                                            "of its domain", field="domain"))


def _load_question(
    shown: str, topic: str, index: int, item: Any, bank: Bank
) -> BankQuestion | None:
    if not isinstance(item, dict):
        bank.problems.append(Problem(shown, f"question #{index + 1} must be a mapping"))
        return None
    uid, name = item.get("id"), item.get("type")
    label = printable(uid, 100) if isinstance(uid, str) and uid else f"#{index + 1}"
    bank.problems.extend(Problem(shown, message, question=label, field=where)
                         for where, message in text_problems(item))
    common = payload = None
    try:
        common = QuestionCommon.model_validate(item)
    except ValidationError as exc:
        bank.problems.extend(_problems(shown, label, exc))
    kind = REGISTRY.get(name) if isinstance(name, str) else None
    if kind is None and not isinstance(name, str):
        pass  # "required field is missing" or "should be a string": reported above
    elif kind is None:
        known = ", ".join(sorted(REGISTRY))
        bank.problems.append(Problem(shown, f"unknown type '{printable(name)}' "
                                            f"(known: {known})", question=label, field="type"))
    else:
        payload_fields = {k: v for k, v in item.items() if k not in COMMON_FIELDS}
        try:
            payload = kind.load(payload_fields)
        except ValidationError as exc:
            bank.problems.extend(_problems(shown, label, exc))
    if common is None or payload is None or kind is None:
        return None
    return BankQuestion(
        uid=common.id, topic=topic, type=common.type, difficulty=common.difficulty,
        expected_seconds=common.expected_seconds or kind.default_seconds,
        body=common.body, explanation=common.explanation, hint=common.hint,
        tags=common.tags, payload=payload.model_dump(mode="json"), source=shown,
    )


def _problems(shown: str, label: str | None, exc: ValidationError) -> Iterable[Problem]:
    for error in exc.errors():
        location = ".".join(printable(str(part), 40) for part in error["loc"]) or None
        message = error["msg"]
        if error["type"] == "missing":
            message = "required field is missing"
        elif error["type"] == "extra_forbidden":
            message = "unknown field (check the spelling against docs/question-format.md)"
        yield Problem(shown, message, question=label, field=location)


def _check_unique(bank: Bank) -> None:
    seen_topics: dict[str, str] = {}
    for topic in bank.topics:
        if topic.slug in seen_topics:
            bank.problems.append(Problem(topic.source, f"topic '{topic.slug}' is also defined "
                                                       f"in {seen_topics[topic.slug]}",
                                         field="topic"))
        seen_topics.setdefault(topic.slug, topic.source)
    seen_uids: dict[str, str] = {}
    for question in bank.questions:
        if question.uid in seen_uids:
            bank.problems.append(Problem(question.source, f"duplicate id, first used in "
                                                          f"{seen_uids[question.uid]}",
                                         question=question.uid, field="id"))
        seen_uids.setdefault(question.uid, question.source)
