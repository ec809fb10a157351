"""The OCR engines tried: RapidOCR (the one used) and Tesseract (measured against it).

Both run offline from packages. RapidOCR's models ship inside its PyPI wheel
(``rapidocr``, run by ``onnxruntime``); Tesseract comes from Debian (``tesseract-ocr``,
``-nor``, ``-eng``) through ``pytesseract``. Each turns a prepared gray image into
rows; ``ENGINES`` maps a name to a factory, and a missing engine raises
``EngineMissing`` so the bot can say it could not read the receipt.
Each engine uses one thread: the process pool gives each receipt one core.
"""

from __future__ import annotations

import collections
import os
from collections.abc import Callable
from typing import Any, Protocol

import cv2

from receipts.prepare import Gray
from receipts.rows import Piece, Row, gather


class EngineMissing(RuntimeError):
    """The OCR engine is not installed (the package, or Tesseract's program)."""


class Engine(Protocol):
    """Reads the text rows of a prepared image."""

    name: str

    def rows(self, gray: Gray) -> list[Row]:
        """The image's text, row by row, with confidences."""


class RapidEngine:
    """RapidOCR 3 with the PP-OCRv6 models its wheel carries, one thread.

    Chosen over RapidOCR 1.4 (``rapidocr-onnxruntime``, PP-OCRv4) on 7 December 2026 by
    the receipt benchmark: on WildReceipt's 350 phone photos the same rules read 297 → 322
    dates right and 279 → 283 totals, at 0.87 → 1.10 s CPU a receipt (bench/README.md).
    """

    name = "rapidocr"

    def __init__(self) -> None:
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:
            raise EngineMissing("pip install rapidocr onnxruntime") from exc
        # The text-angle classifier is off: deskewing has levelled the rows already.
        # Each text box is recognised alone: batches pad every box to the widest in the
        # batch, and most of a receipt's boxes are short (``RM``, ``4.50``).
        self._ocr: Any = RapidOCR(params={
            "Global.use_cls": False, "Global.log_level": "error",
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            "Rec.rec_batch_num": 1})

    def rows(self, gray: Gray) -> list[Row]:
        """Boxes from RapidOCR gathered into rows."""
        return self.rows_from(self.raw(gray))

    def raw(self, gray: Gray) -> list[tuple[Any, str, float, list[float]]]:
        """(box, text, score, each character's score) per text box.

        Each character's own probability is kept beside the box's mean: a digit read
        unsurely in a box of sure ones is what a misread total looks like. RapidOCR gives
        them with each character's box, spaces left out; a space counts as sure.
        """
        out = self._ocr(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR),
                        return_word_box=True, return_single_char_box=True)
        if out.boxes is None:
            return []
        return [(box.tolist(), text, float(score), _with_spaces(text, characters))
                for box, text, score, characters in zip(
                    out.boxes, out.txts, out.scores, out.word_results, strict=True)]

    @staticmethod
    def rows_from(raw: list[Any]) -> list[Row]:
        """``raw``'s boxes gathered into rows."""
        pieces = []
        for box, text, score, *rest in raw:
            chars = tuple(float(c) for c in rest[0]) if rest and len(rest[0]) == len(text) else ()
            pieces.append(Piece(text, float(score), min(x for x, _ in box),
                                min(y for _, y in box), max(x for x, _ in box),
                                max(y for _, y in box), chars))
        return gather(pieces)


def _with_spaces(text: str, characters: Any) -> list[float]:
    """Each character of ``text``'s score, from RapidOCR's (character, score, box) list.

    That list leaves the spaces out; when it does not match the text (a box RapidOCR
    split into words), no character scores are given and the box's mean stands.
    """
    scores = [float(score) for _, score, _ in characters or ()]
    if len(scores) != sum(not c.isspace() for c in text):
        return []
    given = iter(scores)
    return [1.0 if c.isspace() else next(given) for c in text]


class TesseractEngine:
    """Tesseract 5 with Norwegian and English data, one thread, a block of text (psm 6)."""

    name = "tesseract"

    def __init__(self) -> None:
        try:
            import pytesseract
        except ImportError as exc:
            raise EngineMissing("pip install pytesseract") from exc
        try:
            pytesseract.get_tesseract_version()
        except pytesseract.TesseractNotFoundError as exc:
            raise EngineMissing("apt-get install tesseract-ocr tesseract-ocr-nor") from exc
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one core per receipt
        self._tesseract: Any = pytesseract

    def rows(self, gray: Gray) -> list[Row]:
        """Tesseract's own lines, each word's confidence scaled to 0–1."""
        data = self._tesseract.image_to_data(
            gray, lang="nor+eng", config="--psm 6",
            output_type=self._tesseract.Output.DICT)
        lines: dict[tuple[int, int, int], list[tuple[str, float]]] = collections.defaultdict(list)
        for i, word in enumerate(data["text"]):
            if word.strip():
                key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
                lines[key].append((word, max(float(data["conf"][i]), 0.0) / 100))
        return [Row(" ".join(w for w, _ in words), min(c for _, c in words), tuple(words))
                for words in lines.values()]


ENGINES: dict[str, Callable[[], Engine]] = {"rapidocr": RapidEngine,
                                            "tesseract": TesseractEngine}
