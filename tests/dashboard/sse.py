"""A small Server-Sent Events reader for the tests (the format of the WHATWG HTML standard)."""

from collections.abc import Iterator
from typing import Any

import httpx
import orjson

Event = dict[str, Any]


class Reader:
    """Blocks of one streamed response, read in order: each {field: value}, with comment lines
    under "comment"."""

    def __init__(self, response: httpx.Response) -> None:
        self._blocks = self._read(response.iter_lines())

    @staticmethod
    def _read(lines: Iterator[str]) -> Iterator[Event]:
        current: Event = {}
        for line in lines:
            if line == "":
                if current:
                    yield current
                current = {}
                continue
            field, _, value = line.partition(":")
            current[field or "comment"] = value.removeprefix(" ")

    def block(self) -> Event:
        return next(self._blocks)

    def rest(self) -> list[Event]:
        """Every block until the server ends the stream."""
        return list(self._blocks)

    def changes(self, count: int) -> list[Event]:
        """The next `count` change events, with their data decoded."""
        found = []
        for block in self._blocks:
            if block.get("event") == "change":
                found.append({"id": int(block["id"]), **orjson.loads(block["data"])})
                if len(found) == count:
                    return found
        raise AssertionError(f"the stream ended after {len(found)} of {count} events")
