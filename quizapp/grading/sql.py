"""A SQLite query graded by comparing its result with the reference query's, per data set."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from quizapp.grading.base import Payload
from quizapp.grading.code import CodeQuestion
from quizapp.grading.code import fenced
from quizapp.grading.sql_diff import mark_results
from quizapp.sandbox import Limits

MAX_HIDDEN_SEEDS = 10


class SqlPayload(Payload):
    schema_sql: str = Field(alias="schema", min_length=1, max_length=20_000)
    seed: str = Field(min_length=1, max_length=20_000)
    hidden_seeds: list[str] = Field(default_factory=list, max_length=MAX_HIDDEN_SEEDS)
    starter: str = Field(default="", max_length=8_000)
    solution: str = Field(min_length=1, max_length=8_000)
    ordered: bool = False
    time_limit: float = Field(default=2.0, gt=0, le=10)

    model_config = {**Payload.model_config, "populate_by_name": True,
                    "serialize_by_alias": True}


class SqlQuestion(CodeQuestion):
    name = "sql"
    label = "SQL query (SQLite), compared with the reference result"
    Payload = SqlPayload
    widget_template = "widgets/code.html"
    feedback_template = "feedback/code.html"
    default_seconds = 420
    language = "sql"

    def widget(self, payload: SqlPayload, rng: Any) -> dict[str, Any]:
        """The editor, and the tables with their example rows as the SQL that makes them
        (shown, not run: the hidden data sets stay hidden)."""
        data = payload.schema_sql.strip() + "\n\n" + payload.seed.strip() + "\n"
        return {"language": self.language, "starter": payload.starter,
                "examples": [{"name": "The tables and their example rows",
                              "fenced": fenced(data, "sql")}]}

    def limits(self, payload: SqlPayload) -> Limits:
        return Limits(cpu_seconds=payload.time_limit, memory_mb=128)

    def job(self, payload: SqlPayload, code: str, examples_only: bool = False) -> dict[str, Any]:
        seeds = [payload.seed] + ([] if examples_only else list(payload.hidden_seeds))
        return {"kind": "sql", "schema": payload.schema_sql, "seeds": seeds, "query": code,
                "solution": payload.solution, "ordered": payload.ordered,
                "test_seconds": payload.time_limit}

    def run(self, payload: Any, code: str, examples_only: bool = False) -> dict[str, Any]:
        """The code question's run, with the differing cells of failed results marked."""
        response = super().run(payload, code, examples_only)
        mark_results(response["results"], payload.ordered)
        return response

    def test_names(self, payload: SqlPayload, examples_only: bool = False) -> list[str]:
        count = 1 if examples_only else 1 + len(payload.hidden_seeds)
        return ["the example data"] + [f"hidden data set {i}" for i in range(1, count)]

    def visible_count(self, payload: SqlPayload) -> int:
        return 1

    def hidden_code(self, payload: Any) -> dict[str, str]:
        return {}

    def example_code(self, payload: Any) -> dict[str, str]:
        return {}
