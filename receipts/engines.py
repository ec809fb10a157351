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
from pathlib import Path
from typing import Any, Protocol, cast

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
    """RapidOCR 3 with the PP-OCRv6 models its wheel carries, one thread.

    Chosen over RapidOCR 1.4 (``rapidocr-onnxruntime``, PP-OCRv4) on 7 December 2026 by
    the receipt benchmark on the tuning sets, same rules, one OCR reading per image: on
    WildReceipt's 350 phone photos 279 → 284 totals right and 297 → 322 dates, wrong
    totals 8 and 8; median CPU a receipt 0.87 → 1.10 s (bench/README.md, "7 December").
    """

    name = "rapidocr"

    def __init__(self) -> None:
        try:
            import rapidocr
        except ImportError as exc:
            raise EngineMissing("pip install rapidocr onnxruntime") from exc
        models = Path(rapidocr.__file__).parent / "models"
        # The wheel's own model files, named: a missing or changed default would otherwise
        # be fetched from the internet at the first receipt. The text-angle classifier is
        # off (deskewing has levelled the rows). Each text box is recognised alone:
        # batches pad every box to the widest in the batch, and most boxes are short.
        # The loaders are private API, hence the <4 pin. Boxes are read at the model's
        # trained width (320): at their own width, as RapidOCR 1.4 ran, 22 % less CPU
        # but fewer right and more wrong totals (bench/README.md, 7 December). Detection
        # runs at RapidOCR's default size: a long side of at most 1,600 px cost 6–10 % less
        # CPU but, on the 749 receipts of the sets never tuned on, read 2 more totals and
        # 4 fewer dates right and offered 1 more wrong total and 1 more wrong date
        # (bench/README.md, 7 December, night), so it was not taken.
        self._ocr: Any = cast(Any, rapidocr.RapidOCR)(params={
            "Global.use_cls": False, "Global.log_level": "error",
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            "Det.model_path": str(models / "PP-OCRv6_det_small.onnx"),
            "Rec.model_path": str(models / "PP-OCRv6_rec_small.onnx"),
            "Rec.rec_batch_num": 1})
        # Loaded now, not within the first receipt's time limit; and each character's own
        # probability kept beside the box's mean: a digit read unsurely in a box of sure
        # ones is what a misread total looks like. (RapidOCR's single-character boxes pair
        # characters without spaces with scores that still have them: shifted.)
        self._ocr._load_det_model()
        recogniser = self._ocr._load_rec_model()
        recogniser.postprocess_op = _decoder_with_characters(recogniser.postprocess_op)

    def rows(self, gray: Gray) -> list[Row]:
        """Boxes from RapidOCR gathered into rows."""
        return self.rows_from(self.raw(gray))

    def raw(self, gray: Gray) -> list[tuple[Any, str, float, list[float]]]:
        """(box, text, score, each character's score) per text box."""
        out = self._ocr(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR))
        if out.boxes is None:
            return []
        return [(box.tolist(), str(text), float(score), list(getattr(text, "chars", ())))
                for box, text, score in zip(out.boxes, out.txts, out.scores, strict=True)]

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


class _Read(str):
    """A text box's text carrying each character's probability through RapidOCR."""

    chars: tuple[float, ...] = ()


def _decoder_with_characters(decoder: Any) -> Callable[..., tuple[list[tuple[_Read, float]],
                                                                  list[Any]]]:
    """RapidOCR's CTC decoder, its texts carrying each character's probability.

    The same greedy decoding as the library's (best class per time step, repeats and
    blanks dropped), so the text and the mean score are the library's own; the text is a
    ``_Read``, which RapidOCR passes on untouched.
    """
    def decode(preds: Any, return_word_box: bool = False, **_: Any) -> tuple[
            list[tuple[_Read, float]], list[Any]]:
        best, prob = preds.argmax(axis=2), preds.max(axis=2)
        out: list[tuple[_Read, float]] = []
        for index, sure in zip(best, prob, strict=True):
            keep = index != 0  # the blank
            keep[1:] &= index[1:] != index[:-1]
            text = _Read("".join(decoder.character[i] for i in index[keep]))
            text.chars = tuple(float(s) for s in sure[keep])
            out.append((text, float(np.mean(text.chars)) if text.chars else 0.0))
        return out, []
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
