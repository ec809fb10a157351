"""Recognised text pieces gathered into the rows a person reads on the receipt.

OCR engines return boxes (RapidOCR: one per text run; Tesseract: one per word).
A receipt's meaning is in its rows — ``TOTAL ........ 60.30`` — so pieces whose
vertical centres fall within half a line of each other are one row, left to right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Piece:
    """One recognised run of text, its confidence (0–1) and its box in pixels."""

    text: str
    confidence: float
    left: float
    top: float
    right: float
    bottom: float
    chars: tuple[float, ...] = ()  # each character's confidence, when the engine gives them

    @property
    def middle(self) -> float:
        """The vertical centre."""
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        """The box's height (at least one pixel)."""
        return max(self.bottom - self.top, 1.0)


@dataclass(frozen=True, slots=True)
class Row:
    """A line of the receipt: its text, its weakest piece's confidence, and its pieces.

    ``parts`` are the pieces' texts and confidences, left to right (empty for text that
    needed no OCR): a value is as sure as the piece it was read from, so an unsure
    scribble elsewhere on the row does not make the row's date unsure.
    """

    text: str
    confidence: float
    parts: tuple[tuple[str, float], ...] = ()
    chars: tuple[tuple[float, ...], ...] = ()  # per part, each character's confidence

    def sureness(self, holds: Callable[[str], bool]) -> float:
        """The confidence of the surest piece whose text ``holds`` the value, else the row's."""
        return max((sure for text, sure in self.parts if holds(text)), default=self.confidence)


def as_sure_as_digits(weakest: float) -> float:
    """The most a value can be trusted when its weakest digit was read ``weakest`` sure.

    A digit read 75 % sure leaves the value at the gate (0.5), one read 90 % sure at
    the second look's threshold (0.8); a clearly read value is not lowered.
    """
    return max(2 * weakest - 1, 0.0)


def gather(pieces: Iterable[Piece]) -> list[Row]:
    """Pieces grouped into rows, top to bottom, each row's pieces left to right."""
    groups: list[list[Piece]] = []
    for piece in sorted(pieces, key=lambda p: p.middle):
        if not piece.text.strip():
            continue
        last = groups[-1] if groups else None
        if last is not None:
            middle = sum(p.middle for p in last) / len(last)
            height = sum(p.height for p in last) / len(last)
            if abs(piece.middle - middle) <= 0.5 * min(height, piece.height):
                last.append(piece)
                continue
        groups.append([piece])
    rows = []
    for group in groups:
        ordered = sorted(group, key=lambda p: p.left)
        rows.append(Row(" ".join(p.text.strip() for p in ordered),
                        min(p.confidence for p in ordered),
                        tuple((p.text.strip(), p.confidence) for p in ordered),
                        tuple(_stripped(p) for p in ordered)))
    return rows


def from_text(text: str) -> list[Row]:
    """Rows of text that needs no OCR (a PDF's text layer): every line is sure."""
    return [Row(" ".join(line.split()), 1.0) for line in text.splitlines() if line.strip()]


def _stripped(piece: Piece) -> tuple[float, ...]:
    """``piece``'s character confidences for its text without the spaces around it."""
    if len(piece.chars) != len(piece.text):
        return ()
    start = len(piece.text) - len(piece.text.lstrip())
    return piece.chars[start:start + len(piece.text.strip())]
