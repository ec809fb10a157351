"""The bench's OCR cache gives back exactly what the engine read, and reads each image once.

Rules are re-scored from it on every receipt set; a cache that mixed up two images, or
returned something other than the engine's rows, would make every figure after it false.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.receipt_bench import CachedEngine
from receipts.prepare import Gray
from receipts.rows import Row


class CountingEngine:
    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def rows(self, gray: Gray) -> list[Row]:
        self.calls += 1
        return [Row(f"TOTAL {int(gray.sum())}.00", 0.9, ((f"{int(gray.sum())}.00", 0.9),),
                    ((0.9, 0.8),))]


def test_each_image_is_read_once_and_given_back_as_read(tmp_path: Path) -> None:
    inner = CountingEngine()
    one, two = np.full((4, 5), 1, np.uint8), np.full((4, 5), 2, np.uint8)
    first = CachedEngine(inner, tmp_path).rows(one)
    again = CachedEngine(inner, tmp_path).rows(one.copy())  # a new run, the same image
    other = CachedEngine(inner, tmp_path).rows(two)
    assert again == first == [Row("TOTAL 20.00", 0.9, (("20.00", 0.9),), ((0.9, 0.8),))]
    assert other[0].text == "TOTAL 40.00" and inner.calls == 2
    # the same pixels in another shape are another image
    assert CachedEngine(inner, tmp_path).rows(np.full((5, 4), 1, np.uint8)) == first
    assert inner.calls == 3
