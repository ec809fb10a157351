"""The OCR engines tried: RapidOCR (the one used) and Tesseract (measured against it).

Both run offline from packages. RapidOCR's models ship inside its PyPI wheel
(``rapidocr-onnxruntime``); Tesseract comes from Debian (``tesseract-ocr``,
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
import numpy as np

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
    """RapidOCR (PaddleOCR's PP-OCRv4 models on ONNX Runtime), one thread."""

    name = "rapidocr"

    def __init__(self) -> None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:
            raise EngineMissing("pip install rapidocr-onnxruntime") from exc
        # The text-angle classifier is off: deskewing has levelled the rows already.
        # Each text box is recognised alone at its own width: batches pad every box to
        # the widest in the batch and to at least 320 pixels, and most of a receipt's
        # boxes are short (``RM``, ``4.50``): a third less CPU, the same text.
        self._ocr: Any = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1,
                                  use_cls=False, rec_batch_num=1, rec_img_shape=[3, 48, 48])
        # Each character's own probability is kept beside the box's mean: a digit read
        # unsurely in a box of sure ones is what a misread total looks like.
        self._ocr.text_rec.postprocess_op = _decoder_with_characters(
            self._ocr.text_rec.postprocess_op)

    def rows(self, gray: Gray) -> list[Row]:
        """Boxes from RapidOCR gathered into rows."""
        return self.rows_from(self.raw(gray))

    def raw(self, gray: Gray) -> list[Any]:
        """RapidOCR's own answer: (box, text, score, character scores) per text box."""
        result, _ = self._ocr(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR))
        return list(result or [])

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


def _decoder_with_characters(decoder: Any) -> Callable[..., list[tuple[str, float, list[float]]]]:
    """RapidOCR's CTC decoder, answering each character's probability too.

    The same greedy decoding as the library's (best class per time step, repeats and
    blanks dropped), so the text and the mean score are the library's own.
    """
    def decode(preds: Any, return_word_box: bool = False, **_: Any) -> list[
            tuple[str, float, list[float]]]:
        best, prob = preds.argmax(axis=2), preds.max(axis=2)
        out = []
        for index, sure in zip(best, prob, strict=True):
            keep = index != 0  # the blank
            keep[1:] &= index[1:] != index[:-1]
            chars = [decoder.character[i] for i in index[keep]]
            scores = [float(s) for s in sure[keep]]
            out.append(("".join(chars), float(np.mean(scores)) if scores else 0.0, scores))
        return out
    return decode


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
