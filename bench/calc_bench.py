"""How much do the money rules cost per line? A ratio against reading the line's JSON.

Run: ``.venv/bin/python -m bench.calc_bench``. Prints, per line kind, the time to
compute a line divided by the time to ``json.loads`` + decode the same line in the
same process (the baseline), so the figure is stable across noisy machines. Also
prints lines per second for scale. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import json
import timeit
from functools import partial

from domain.calc import compute_line
from domain.codec import line_from_dict
from domain.lines import Line
from domain.rates import default_book

LINES = {
    "mileage": {"kind": "mileage", "date": "2026-03-07", "km": "184", "vehicle": "car",
                "passengers": ["Ola", "Kari"], "forest_road_km": "12", "trailer_km": "0"},
    "per_diem": {"kind": "per_diem", "departure": "2026-03-02T08:00",
                 "return": "2026-03-06T19:30", "distance_km": "180",
                 "nights": [{"date": f"2026-03-0{d}", "lodging": "hotel"} for d in range(2, 6)],
                 "meals": [{"date": "2026-03-03", "breakfast": True, "lunch": False,
                            "dinner": True}]},
    "expense": {"kind": "expense", "date": "2026-03-07", "type": "taxi", "amount": "45.50",
                "currency": "EUR", "nok_rate": "11.52"},
    "item": {"kind": "item", "date": "2026-01-31", "quantity": "48", "rate": "95.00",
             "taxable": True, "label": "Avlaster lav sats"},
}


def _read(text: str) -> Line:
    return line_from_dict(json.loads(text))


def measure(repeat: int = 5, number: int = 2000) -> dict[str, tuple[float, float]]:
    """Per kind: (ratio compute/baseline, computed lines per second)."""
    book = default_book()
    results = {}
    for kind, data in LINES.items():
        text = json.dumps(data)
        line = line_from_dict(json.loads(text))
        baseline = min(timeit.repeat(partial(_read, text), repeat=repeat, number=number))
        compute = min(timeit.repeat(partial(compute_line, line, book), repeat=repeat,
                                    number=number))
        results[kind] = (compute / baseline, number / compute)
    return results


def main() -> None:
    """Print the table."""
    print(f"{'kind':<10} {'compute / read JSON':>20} {'lines/s':>10}")
    for kind, (ratio, per_second) in measure().items():
        print(f"{kind:<10} {ratio:>20.2f} {per_second:>10.0f}")


if __name__ == "__main__":
    main()
