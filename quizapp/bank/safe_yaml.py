"""Parse a bank file without letting it expand: bounded size, nesting and alias use.

``yaml.safe_load`` shares the objects an alias repeats, so a "billion laughs" document loads
quickly but turns into billions of items as soon as anything walks or prints it. This loader
counts, while composing, how many values every alias repeats and stops at a small budget,
before anything is expanded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.events import CollectionStartEvent
from yaml.events import ScalarEvent
from yaml.nodes import MappingNode
from yaml.nodes import Node
from yaml.nodes import ScalarNode
from yaml.nodes import SequenceNode

from quizapp.bank.limits import MAX_ALIAS_EXPANSION
from quizapp.bank.limits import MAX_FILE_BYTES
from quizapp.bank.limits import MAX_NESTING


class BankYamlError(yaml.MarkedYAMLError):
    """The document breaks a limit of the bank loader (not of YAML itself)."""


class FileTooLarge(ValueError):
    """The file is over ``MAX_FILE_BYTES``; it was not parsed."""


class BankLoader(yaml.SafeLoader):
    """A SafeLoader that refuses deep nesting, recursive aliases and large alias expansion."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._expanded = 0
        self._depth = 0
        self._open: set[str] = set()
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(AliasEvent):
            event = self.peek_event()
            if event.anchor in self._open:
                raise BankYamlError(None, None, f"alias '*{event.anchor}' refers to a value "
                                                "that contains it", event.start_mark)
            if event.anchor in self.anchors:
                self._charge(event.anchor, self.anchors[event.anchor], event.start_mark)
            return super().compose_node(parent, index)
        event = self.peek_event()
        anchor = event.anchor if isinstance(event, ScalarEvent | CollectionStartEvent) else None
        self._depth += 1
        if self._depth > MAX_NESTING:
            raise BankYamlError(None, None, f"lists and mappings are nested more than "
                                            f"{MAX_NESTING} deep", event.start_mark)
        if anchor:
            self._open.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            self._open.discard(anchor or "")

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """A mapping, refusing a key written twice (YAML would keep the last one silently)."""
        seen: set[str] = set()
        for key, _ in node.value:
            if isinstance(key, ScalarNode) and key.tag != MERGE_TAG:
                if key.value in seen:
                    raise BankYamlError(None, None, f"the key '{key.value}' appears twice in "
                                                    "this mapping", key.start_mark)
                seen.add(key.value)
        return super().construct_mapping(node, deep=deep)

    def construct_number(self, node: ScalarNode) -> Any:
        """An int or float, or a clear error where Python cannot hold it (a 5,000-digit
        integer, a float beyond the double range written in base 60)."""
        base = SafeConstructor.construct_yaml_int if node.tag.endswith(":int") else (
            SafeConstructor.construct_yaml_float)
        try:
            return base(self, node)
        except (ValueError, OverflowError) as exc:
            raise BankYamlError(None, None, f"a number that cannot be read: {exc}",
                                node.start_mark) from None

    def refuse_tag(self, node: Node) -> Any:
        raise BankYamlError(None, None, f"the {node.tag.replace(YAML_TAG, '!!')} tag is not "
                                        "allowed in bank files; write plain text, numbers, "
                                        "lists and mappings", node.start_mark)

    def construct_plain_text(self, node: ScalarNode) -> str:
        """A date or time is kept as the text it was written as (fields want text)."""
        return str(self.construct_scalar(node))

    def _charge(self, anchor: str, node: Node, mark: Any) -> None:
        self._expanded += self._size(node)
        if self._expanded > MAX_ALIAS_EXPANSION:
            raise BankYamlError(None, None, f"aliases repeat more than "
                                            f"{MAX_ALIAS_EXPANSION:,} values (at '*{anchor}'); "
                                            "write the text out instead of repeating it "
                                            "with anchors", mark)

    def _size(self, node: Node) -> int:
        """Values in ``node`` once expanded (memoised: shared nodes are counted once each)."""
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        size = 1
        if isinstance(node, SequenceNode):
            size += sum(self._size(child) for child in node.value)
        elif isinstance(node, MappingNode):
            size += sum(self._size(k) + self._size(v) for k, v in node.value)
        self._sizes[id(node)] = size
        return size


YAML_TAG = "tag:yaml.org,2002:"
MERGE_TAG = YAML_TAG + "merge"
BankLoader.add_constructor(YAML_TAG + "int", BankLoader.construct_number)
BankLoader.add_constructor(YAML_TAG + "float", BankLoader.construct_number)
BankLoader.add_constructor(YAML_TAG + "timestamp", BankLoader.construct_plain_text)
for _tag in ("binary", "set", "omap", "pairs"):  # bytes would skip the text checks
    BankLoader.add_constructor(YAML_TAG + _tag, BankLoader.refuse_tag)


def read_bank_text(path: Path) -> str:
    """The file's text, refusing (without reading it all) a file over ``MAX_FILE_BYTES``."""
    with path.open("rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise FileTooLarge(f"the file is larger than {MAX_FILE_BYTES:,} bytes; split the topic "
                           "or shorten its questions")
    return data.decode("utf-8")


def parse_bank_yaml(text: str) -> Any:
    """Parse one YAML document with ``BankLoader`` (raises ``yaml.YAMLError``)."""
    loader = BankLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
