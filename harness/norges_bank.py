"""A local stand-in for Norges Bank's data API, answering the documented SDMX-JSON shapes.

``GET /api/data/EXR/B.<CUR>.NOK.SP?format=sdmx-json&startPeriod=…&endPeriod=…``
returns the business days in the window, in Norges Bank's structure (series key
``0:0:0:0``, observations keyed by the index of their ``TIME_PERIOD``, series
attributes as indexes into ``structure.attributes.series``, ``UNIT_MULT`` among
them). A currency it does not quote, or a window without rates, is a 404 as
Norges Bank answers "No Results Found". ``fail_with`` makes it answer a status,
``delay`` makes it slow. It runs in its own thread; ``requests`` records each path.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

# NOK per 10^UNIT_MULT units, on a business day; each day's rate differs a little, so a
# test sees which day was taken: base + day-of-month / 1000.
QUOTED = {"EUR": (Decimal("11.5000"), 0), "USD": (Decimal("10.1000"), 0),
          "SEK": (Decimal("105.0000"), 2), "JPY": (Decimal("6.8000"), 2)}
HOLIDAYS = {date(2026, 4, 2), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 1),
            date(2026, 5, 14), date(2026, 5, 25), date(2026, 12, 24), date(2026, 12, 25)}


def published(currency: str, day: date) -> Decimal:
    """The value the stand-in publishes for ``currency`` on business day ``day``."""
    return QUOTED[currency][0] + Decimal(day.day) / 1000


def _business_days(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5 and day not in HOLIDAYS:
            days.append(day)
        day += timedelta(days=1)
    return days


def sdmx(currency: str, days: list[date]) -> dict[str, Any]:
    """Norges Bank's SDMX-JSON for one series over ``days``."""
    multiplier = QUOTED[currency][1]
    return {
        "meta": {"id": "IREF000001", "prepared": "2026-12-04T12:00:00", "test": False},
        "data": {
            "dataSets": [{"action": "Information", "series": {"0:0:0:0": {
                "attributes": [0, 0, 0, 0],
                "observations": {str(i): [f"{published(currency, d):.4f}"]
                                 for i, d in enumerate(days)}}}}],
            "structure": {
                "name": "Exchange rates",
                "dimensions": {
                    "dataset": [],
                    "series": [
                        {"id": "FREQ", "keyPosition": 0, "values": [{"id": "B"}]},
                        {"id": "BASE_CUR", "keyPosition": 1, "values": [{"id": currency}]},
                        {"id": "QUOTE_CUR", "keyPosition": 2, "values": [{"id": "NOK"}]},
                        {"id": "TENOR", "keyPosition": 3, "values": [{"id": "SP"}]}],
                    "observation": [{"id": "TIME_PERIOD", "role": "time", "values": [
                        {"id": d.isoformat(), "name": d.isoformat()} for d in days]}]},
                "attributes": {
                    "dataset": [],
                    "series": [
                        {"id": "DECIMALS", "values": [{"id": "4"}]},
                        {"id": "CALCULATED", "values": [{"id": "false"}]},
                        {"id": "UNIT_MULT", "values": [{"id": str(multiplier)}]},
                        {"id": "COLLECTION", "values": [{"id": "C"}]}],
                    "observation": []}}},
    }


class NorgesBankServer:
    """The stand-in: ``url`` is the base to configure (``…/api/data``)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.fail_with = 0
        self.delay = 0.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                if server.delay:
                    time.sleep(server.delay)
                status, body = server.answer(self.path)
                payload = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/vnd.sdmx.data+json" if
                                 status == 200 else "text/plain")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}/api/data"

    def answer(self, path: str) -> tuple[int, str]:
        if self.fail_with:
            return self.fail_with, "Internal Server Error"
        parsed = urlparse(path)
        key = parsed.path.rsplit("/", 1)[-1]
        query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        parts = key.split(".")
        if not parsed.path.startswith("/api/data/EXR/") or len(parts) != 4 \
                or query.get("format") != "sdmx-json":
            return 400, "Bad request"
        currency = parts[1]
        days = _business_days(date.fromisoformat(query["startPeriod"]),
                              date.fromisoformat(query["endPeriod"]))
        if currency not in QUOTED or not days:
            return 404, "No Results Found"
        return 200, json.dumps(sdmx(currency, days))

    @contextmanager
    def running(self) -> Iterator[NorgesBankServer]:
        thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._http.shutdown()
            self._http.server_close()
