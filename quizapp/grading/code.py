"""A Python 3.11 + numpy answer graded by running visible examples and hidden tests."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import ValidationInfo
from pydantic import field_validator

from quizapp.grading.base import Grade
from quizapp.grading.base import Payload
from quizapp.grading.base import QuestionType
from quizapp.grading.base import ResponseError
from quizapp.sandbox import Limits
from quizapp.sandbox import RunResult
from quizapp.sandbox import run_job

MAX_CODE_CHARS = 20_000
MAX_TESTS = 50
MAX_EXAMPLES = 20
STORED_MESSAGE_CHARS = 500
STORED_OUTPUT_CHARS = 4_000
ROWS_SHOWN, CELLS_SHOWN, CELL_CHARS = 20, 50, 201  # an SQL test's rows kept (runner.py's 20)


class TestCase(BaseModel):
    """One example or hidden test: a name and code that raises when the answer is wrong."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=120)
    code: str = Field(min_length=1, max_length=4_000)


class CodePayload(Payload):
    starter: str = Field(default="", max_length=8_000)
    examples: list[TestCase] = Field(default_factory=list, max_length=MAX_EXAMPLES)
    tests: list[TestCase] = Field(min_length=3, max_length=MAX_TESTS)
    solution: str = Field(min_length=1, max_length=8_000)
    show_hidden: bool = False
    time_limit: float = Field(default=2.0, gt=0, le=10)
    memory_mb: int = Field(default=256, ge=64, le=512)

    @field_validator("tests")
    @classmethod
    def distinct_names(cls, tests: list[TestCase], info: ValidationInfo) -> list[TestCase]:
        names = [t.name for t in (*info.data.get("examples", ()), *tests)]
        if repeated := sorted({name for name in names if names.count(name) > 1}):
            raise ValueError(f"examples and tests need distinct names; repeated: "
                             f"{', '.join(repeated)}")
        return tests


def fenced(code: str, lang: str) -> str:
    """``code`` as a Markdown fenced block that its own backticks cannot close."""
    longest = max((len(m) for m in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{code.rstrip()}\n{fence}"


def submitted_code(form: Mapping[str, Any]) -> str:
    """The ``code`` field, with a clear error when it is missing or too long."""
    code = str(form.get("code", "")).replace("\r\n", "\n")
    if len(code) > MAX_CODE_CHARS:
        raise ResponseError(f"Keep the code under {MAX_CODE_CHARS:,} characters.")
    if not code.strip():
        raise ResponseError("Write some code first.")
    return code


def clean(value: Any) -> Any:
    """Text (or nested rows of it) that any database stores: no NUL, no lone surrogates."""
    if isinstance(value, str):
        return value.replace("\x00", "\\0").encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [clean(item) for item in value]
    return value


def results_from(run: RunResult, names: list[str], visible: int) -> list[dict[str, Any]]:
    """One stored result per test, in order; tests the run never reached are failures.

    The records come from the jail, where the learner's code runs in the same interpreter as
    the runner and can write records of its own: each field is checked for the shape the
    runner gives it, whatever the record holds."""
    by_index = {r["test"]: r for r in run.records if type(r.get("test")) is int}
    missing = _missing_message(run)
    results = []
    for index, name in enumerate(names):
        record = by_index.get(index, {"passed": False, "message": missing})
        result = {"name": name, "visible": index < visible,
                  "passed": record.get("passed") is True,
                  "message": clean(str(record.get("message", ""))[:STORED_MESSAGE_CHARS])}
        if index < visible:
            result.update(_rows_of(record))
        results.append(result)
    return results


def _rows_of(record: Mapping[str, Any]) -> dict[str, Any]:
    """An SQL test's result and expected rows (``got``/``want``, at most ``ROWS_SHOWN`` rows
    of ``CELLS_SHOWN`` plain cells) and row counts, when the record has both as lists."""
    got, want = record.get("got"), record.get("want")
    if not isinstance(got, list) or not isinstance(want, list):
        return {}
    rows = {"got": _cells(got), "want": _cells(want)}
    for key, shown in (("got_rows", got), ("want_rows", want)):
        count = record.get(key)
        rows[key] = count if type(count) is int and count >= 0 else len(shown)
    for key in ("got_columns", "want_columns"):  # the result's column names, when sent
        names = record.get(key)
        rows[key] = ([clean(str(name)[:CELL_CHARS]) for name in names[:CELLS_SHOWN]]
                     if isinstance(names, list) else [])
    return rows


def _cells(rows: list[Any]) -> list[list[Any]]:
    return [[_cell(value) for value in row[:CELLS_SHOWN]] if isinstance(row, list) else
            [_cell(row)] for row in rows[:ROWS_SHOWN]]


def _cell(value: Any) -> Any:
    if value is None or type(value) in (bool, int) or (
            type(value) is float and math.isfinite(value)):
        return value
    return clean(str(value)[:CELL_CHARS])


def _missing_message(run: RunResult) -> str:
    if run.status == "timeout":
        return "Time limit exceeded: the run was stopped."
    if run.status == "crashed":
        return ("The run ended before this test: the code used more memory or CPU time than "
                "a run may, crashed the interpreter, or exited (sys.exit, os._exit). Look for "
                "an endless loop, a very large list or array, or an exit call.")
    return "Not run."


def run_output(run: RunResult) -> str:
    """Learner output (captured prints first, then raw process output), bounded."""
    captured = next((r["output"] for r in run.records if "output" in r), "")
    text = str(captured) + run.output
    return clean(text[:STORED_OUTPUT_CHARS])


def _normalised(code: str) -> str:
    """Code as compared with the starter: line endings, trailing spaces and blank lines at
    either end do not count."""
    return "\n".join(line.rstrip() for line in code.replace("\r\n", "\n").split("\n")).strip()


def score_of(response: Mapping[str, Any]) -> float:
    results = response.get("results") or []
    return sum(1 for r in results if r.get("passed")) / len(results) if results else 0.0


class CodeQuestion(QuestionType):
    name = "code"
    label = "Code (Python + numpy), run against tests"
    Payload = CodePayload
    widget_template = "widgets/code.html"
    feedback_template = "feedback/code.html"
    enter_submits = False
    wide_page = True
    default_seconds = 600
    language = "python"

    def widget(self, payload: CodePayload, rng: Any) -> dict[str, Any]:
        return {"language": self.language, "starter": payload.starter,
                "examples": [{**t.model_dump(), "fenced": fenced(t.code, "python")}
                             for t in payload.examples]}

    def limits(self, payload: CodePayload) -> Limits:
        return Limits(cpu_seconds=payload.time_limit, memory_mb=payload.memory_mb)

    def job(self, payload: CodePayload, code: str, examples_only: bool = False) -> dict[str, Any]:
        """The sandbox job for ``code``; examples first, then (unless only examples) tests."""
        tests = list(payload.examples) + ([] if examples_only else list(payload.tests))
        return {"kind": "code", "source": code, "tests": [t.model_dump() for t in tests],
                "test_seconds": payload.time_limit}

    def test_names(self, payload: CodePayload, examples_only: bool = False) -> list[str]:
        tests = list(payload.examples) + ([] if examples_only else list(payload.tests))
        return [t.name for t in tests]

    def visible_count(self, payload: CodePayload) -> int:
        return len(payload.examples)

    def run(self, payload: Any, code: str, examples_only: bool = False) -> dict[str, Any]:
        """Run ``code`` in the sandbox; the stored response shape."""
        try:
            run = run_job(self.job(payload, code, examples_only), self.limits(payload))
        except OSError:
            raise ResponseError("The code runner is unavailable right now; your code is "
                                "kept, please try again.") from None
        names = self.test_names(payload, examples_only)
        return {"code": code, "results": results_from(run, names, self.visible_count(payload)),
                "output": run_output(run), "status": run.status}

    def parse_response(self, payload: Any, form: Mapping[str, Any]) -> dict[str, Any]:
        """Run the submitted code against every test; the results are the response. The
        starter code sent back unchanged is marked: it earns no credit, whatever tests its
        naive first attempt happens to pass (some starters pass the easy ones)."""
        code = submitted_code(form)
        response = self.run(payload, code)
        if payload.starter.strip() and _normalised(code) == _normalised(payload.starter):
            response["starter_unchanged"] = True
        return response

    def grade(self, payload: Any, response: dict[str, Any]) -> Grade:
        passed = sum(1 for r in response["results"] if r["passed"])
        total = len(response["results"])
        if response.get("starter_unchanged"):  # a starting point is not an answer
            return Grade(score=0.0, feedback="the starter code, unchanged: no credit")
        return Grade(score=score_of(response), feedback=f"{passed} of {total} tests passed")

    def answer_md(self, payload: Any) -> str:
        return fenced(payload.solution, self.language)

    def response_md(self, payload: Any, response: dict[str, Any]) -> str:
        return fenced(response["code"], self.language)

    def feedback_view(self, payload: Any, response: dict[str, Any]) -> dict[str, Any]:
        """What the feedback page shows: results, the first hidden failure, test code."""
        results = [r if r["passed"] else {**r, "why": failure_kind(r.get("message") or "")}
                   for r in response.get("results") or []]
        first_hidden = next((i for i, r in enumerate(results)
                             if not r["visible"] and not r["passed"]), None)
        return {"results": results, "output": response.get("output", ""),
                "status": response.get("status", "ok"),
                "passed": sum(1 for r in results if r["passed"]),
                "first_hidden_failure": first_hidden,
                "starter_unchanged": bool(response.get("starter_unchanged")),
                "codes": {**self.example_code(payload), **self.hidden_code(payload)}}

    def hidden_code(self, payload: Any) -> dict[str, str]:
        """Hidden test code by name, for feedback when ``show_hidden`` is set."""
        return {t.name: t.code for t in payload.tests} if payload.show_hidden else {}

    def example_code(self, payload: Any) -> dict[str, str]:
        return {t.name: t.code for t in payload.examples}


_EXCEPTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*(Error|Exception|Exit|Interrupt)")


def failure_kind(message: str) -> str:
    """How a test failed, in a few words: what a hidden test's result may say beyond
    "failed" without giving its inputs away."""
    if message.startswith("Time limit exceeded"):
        return "too slow: the time limit ran out"
    if "more memory than a run may use" in message:
        return "used too much memory"
    name = message.split(":", 1)[0].split(" (", 1)[0].strip()
    if name and name != "AssertionError" and _EXCEPTION_NAME.fullmatch(name):
        return f"raised {name}"
    return "wrong result"
