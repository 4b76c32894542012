"""The shared table of SMS segment cases (tests/sms_segments.json), for Python and the browser."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).with_name("sms_segments.json")


@dataclass(frozen=True)
class SegmentCase:
    case: str
    text: str
    segments: int


def segment_cases() -> list[SegmentCase]:
    """Read the table, joining each case's repeated parts into its text."""
    return [
        SegmentCase(
            case=row["case"],
            text="".join(piece * times for piece, times in row["parts"]),
            segments=row["segments"],
        )
        for row in json.loads(TABLE.read_text(encoding="utf-8"))["cases"]
    ]
