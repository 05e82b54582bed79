"""What an ingest did with every row: read, written, or rejected with the reason and the row."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

MAX_LISTED = 1000
"""Rejections listed one by one (all are counted by reason)."""


@dataclass
class IngestReport:
    source: str
    layout: str
    kind: str
    rows_read: int = 0
    rows_written: int = 0
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        return sum(self.rejected_by_reason.values())

    def reject(self, row: int | None, reason: str, value: str | None = None) -> None:
        self.rejected_by_reason[reason] += 1
        if len(self.rejected) < MAX_LISTED:
            entry: dict[str, Any] = {"row": row, "reason": reason}
            if value is not None:
                entry["value"] = value[:200]
            self.rejected.append(entry)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "layout": self.layout,
            "kind": self.kind,
            "rows_read": self.rows_read,
            "rows_written": self.rows_written,
            "rows_rejected": self.rows_rejected,
            "rejected_by_reason": dict(self.rejected_by_reason.most_common()),
            "rejected": self.rejected,
            "rejected_listed": len(self.rejected),
            "notes": self.notes,
        }
