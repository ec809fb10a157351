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
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Protocol, cast

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

    Run by OpenVINO since 8 December 2026 (``_OpenVinoModel``; ONNX Runtime when
    OpenVINO is not installed, as ``rapidocr-onnxruntime`` in the benchmark): the same
    ONNX models in f32 on one thread. On 8 SROIE scans, once warmed, detection took
    0.47 s a receipt against ONNX Runtime's 1.52 s (3.2×) and recognition the same
    (1.20 s either way); detection's map differed by at most 2·10⁻⁴ and the recogniser
    picked the same character at every step of 209 boxes. Scored by
    ``bench.receipt_bench`` (8 December, night, both runtimes side by side, one core
    each): the same counts on every set (sroie-all 60 / 62 / 0 / 1, norwegian 42 / 42 /
    0 / 0); median CPU a receipt 2.53 → 1.48 s on the SROIE scans and 0.94 → 0.58 s on
    the Norwegian photos.
    """

    name = "rapidocr"

    def __init__(self, runtime: Literal["openvino", "onnxruntime"] = "openvino") -> None:
        try:
            import rapidocr
        except ImportError as exc:
            raise EngineMissing("pip install rapidocr onnxruntime") from exc
        models = Path(rapidocr.__file__).parent / "models"
        det_model = models / "PP-OCRv6_det_small.onnx"
        rec_model = models / "PP-OCRv6_rec_small.onnx"
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
            "Det.model_path": str(det_model),
            "Rec.model_path": str(rec_model),
            "Rec.rec_batch_num": 1})
        # Loaded now, not within the first receipt's time limit; and each character's own
        # probability kept beside the box's mean: a digit read unsurely in a box of sure
        # ones is what a misread total looks like. (RapidOCR's single-character boxes pair
        # characters without spaces with scores that still have them: shifted.)
        detector = self._ocr._load_det_model()
        recogniser = self._ocr._load_rec_model()
        recogniser.postprocess_op = _decoder_with_characters(recogniser.postprocess_op)
        self.name = "rapidocr-onnxruntime"
        if runtime == "openvino":
            try:
                detect = _OpenVinoModel(det_model, (1, 3, 2560, 1024))
                recognise = _OpenVinoModel(rec_model, (1, 3, 48, 320))
            except Exception as exc:  # not installed, or refusing this CPU: read anyway
                logging.getLogger(__name__).info("OCR on ONNX Runtime: OpenVINO %r", exc)
            else:
                detector.session, recogniser.session = detect, recognise
                self.name = "rapidocr"

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


class _OpenVinoModel:
    """One of the wheel's ONNX models compiled by OpenVINO for the CPU: one thread, f32.

    RapidOCR runs a model only by calling its session with the input batch, so this
    takes the place of its ONNX Runtime session. f32 is asked for by name: on a CPU
    with AMX or AVX-512 BF16 OpenVINO would otherwise compute in bf16, which read 0.24 %
    of the recogniser's characters differently from the models as measured (bf16 was
    2.5× faster; not taken unscored). The model runs once on ``warm`` (a blank input of
    that shape) when loaded: OpenVINO's first inputs larger than any before cost
    0.8–1.4 s more each while it sizes its buffers, which would otherwise fall on the
    first receipts (and their time limit) rather than on the worker's start.
    """

    def __init__(self, path: Path, warm: tuple[int, ...]) -> None:
        import openvino

        core = openvino.Core()
        compiled = core.compile_model(core.read_model(str(path)), "CPU", {
            "INFERENCE_NUM_THREADS": 1, "NUM_STREAMS": 1, "PERFORMANCE_HINT": "LATENCY",
            "INFERENCE_PRECISION_HINT": "f32"})
        self._request = compiled.create_infer_request()
        self(np.ones(warm, dtype=np.float32))

    def __call__(self, batch: Any) -> Any:
        self._request.infer([batch])
        return self._request.get_output_tensor().data.copy()


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


ENGINES: dict[str, Callable[[], Engine]] = {
    "rapidocr": RapidEngine,
    "rapidocr-onnxruntime": lambda: RapidEngine("onnxruntime"),  # measured against it
    "tesseract": TesseractEngine}
