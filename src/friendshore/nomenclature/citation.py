"""A citation: who published what, where and when. Every fact friendshore ships carries one.

Used by the country groups (``groups.toml``) and by the register (``friendshore.register``).
``url`` is optional: a source is cited with a URL only when the URL is known to exist; a
publisher, a title and a date (``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY`` or ``n.d.``) are required.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["Source"]

_SOURCE_DATE_RE = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?|n\.d\.)$")


class Source(BaseModel):
    """A citation: publisher, title, optional URL, date (``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``, ``n.d.``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    publisher: str = Field(min_length=1)
    title: str = Field(min_length=1)
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    date: str
    author: str = ""
    note: str = ""

    @field_validator("publisher", "title")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("date", mode="before")
    @classmethod
    def _date_text(cls, value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str) and not _SOURCE_DATE_RE.match(value.strip()):
            raise ValueError("use YYYY-MM-DD, YYYY-MM, YYYY or n.d.")
        return value.strip() if isinstance(value, str) else value

    def cite(self) -> str:
        """One line: ``publisher, "title", url (date)`` (the URL left out when there is none)."""
        by = f"{self.author}, " if self.author else ""
        where = f", {self.url}" if self.url else ""
        return f'{by}{self.publisher}, "{self.title}"{where} ({self.date})'
