"""Pydantic models of a bank file: ``questions/<domain>/<topic>.yaml``."""

from __future__ import annotations

from typing import Annotated
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import StringConstraints

DOMAINS: dict[str, str] = {
    "ml": "ML concepts",
    "math": "Math",
    "coding": "Coding",
    "design": "ML system design",
}

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
Uid = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$", min_length=3, max_length=100)
]
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=40)]

COMMON_FIELDS = frozenset(
    {"id", "type", "difficulty", "body", "explanation", "tags", "expected_seconds", "hint"}
)


class QuestionCommon(BaseModel):
    """Fields every question has, whatever its type."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: Uid
    type: str
    difficulty: int = Field(ge=1, le=5, strict=True)  # not `true` or "3"
    body: str = Field(min_length=1)
    explanation: str = Field(min_length=1)
    tags: list[Tag] = Field(default_factory=list)
    expected_seconds: int | None = Field(default=None, ge=5, le=3600)
    hint: str | None = None


class BankFile(BaseModel):
    """The top level of one bank file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    domain: Literal["ml", "math", "coding", "design"]
    topic: Slug
    title: str = Field(min_length=1, max_length=120)
    description: str = ""
    questions: list[Any] = Field(min_length=1)


class BankQuestion(BaseModel):
    """A validated question ready to sync: common fields plus the type payload."""

    model_config = ConfigDict(frozen=True)

    uid: str
    topic: str
    type: str
    difficulty: int
    expected_seconds: int
    body: str
    explanation: str
    hint: str | None
    tags: list[str]
    payload: dict[str, Any]
    source: str

    def content(self) -> dict[str, Any]:
        """Everything that, when changed, makes a new version of the question."""
        return self.model_dump(exclude={"uid", "source"})


class BankTopic(BaseModel):
    model_config = ConfigDict(frozen=True)

    slug: str
    domain: str
    title: str
    description: str
    source: str
