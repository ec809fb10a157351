"""Text shown to people, in Norwegian (bokmål) first and English too.

The domain decides *what* is said (a refusal, a warning, a breakdown line); the
front ends only pick the language. Keeping both languages side by side in one
value means a message can never exist in one language only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Lang = Literal["nb", "en"]
LANGS: tuple[Lang, ...] = ("nb", "en")


@dataclass(frozen=True, slots=True)
class Text:
    """One message in both languages."""

    nb: str
    en: str

    def in_(self, lang: str) -> str:
        """The message in ``lang``; anything but ``en`` gets Norwegian."""
        return self.en if lang == "en" else self.nb
