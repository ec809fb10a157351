"""Norges Bank's daily exchange rates: dataflow ``EXR``, key ``B.<CUR>.NOK.SP``, SDMX-JSON.

``GET {base}/EXR/B.EUR.NOK.SP?format=sdmx-json&startPeriod=…&endPeriod=…`` answers
with ``data.dataSets[0].series["0:0:0:0"]``: ``observations`` keyed by the index of
a ``TIME_PERIOD`` in ``data.structure.dimensions.observation``, each ``[value]``,
and ``attributes`` — indexes into ``data.structure.attributes.series``'s values,
among them ``UNIT_MULT``: the value is NOK per 10^UNIT_MULT units (SEK, DKK, JPY
are quoted per 100). Rates are published on business days only, so the request
covers the ten days up to the receipt's date and the latest one is taken: a
Sunday's rate is Friday's, Easter Monday's is Maundy Thursday's. A 404 means no
rates in that window: Norges Bank does not quote the currency.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from service.exchange import NORGES_BANK, ExchangeRate, RateUnavailable, UnknownCurrency

LOOK_BACK = timedelta(days=10)  # longer than any run of Norwegian non-business days


class NorgesBank:
    """``RateSource`` over Norges Bank's API at ``base_url`` (a setting; tests use their own)."""

    def __init__(self, base_url: str, timeout: float = 5.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url, self.timeout, self._transport = base_url.rstrip("/"), timeout, transport

    async def rate(self, currency: str, day: date) -> ExchangeRate:
        """The rate for ``day`` or the last business day before it."""
        params = {"format": "sdmx-json", "startPeriod": (day - LOOK_BACK).isoformat(),
                  "endPeriod": day.isoformat(), "locale": "en"}
        url = f"{self.base_url}/EXR/B.{currency}.NOK.SP"
        try:
            async with httpx.AsyncClient(timeout=self.timeout,
                                         transport=self._transport) as client:
                response = await client.get(url, params=params)
        except httpx.HTTPError as exc:
            raise RateUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code == 404:
            raise UnknownCurrency(currency, quoted=True)
        if response.status_code != 200:
            raise RateUnavailable(f"HTTP {response.status_code} from {url}")
        try:
            quoted_on, value = latest(response.json(), day)
        except (ValueError, KeyError, IndexError, TypeError, InvalidOperation) as exc:
            raise RateUnavailable(f"unexpected answer from {url}: {exc!r}") from exc
        return ExchangeRate(currency, day, quoted_on, value, NORGES_BANK)


def latest(document: dict[str, Any], day: date) -> tuple[date, Decimal]:
    """The last observation on or before ``day``: its date and NOK per one unit."""
    data = document["data"]
    structure = data["structure"]
    periods = [date.fromisoformat(v["id"]) for v in
               next(d for d in structure["dimensions"]["observation"]
                    if d["id"] == "TIME_PERIOD")["values"]]
    attributes = structure["attributes"]["series"]
    series = next(iter(data["dataSets"][0]["series"].values()))
    multiplier = 0
    for position, attribute in enumerate(attributes):
        if attribute["id"] == "UNIT_MULT":
            index = series["attributes"][position]
            multiplier = int(attribute["values"][index]["id"])
    seen = sorted((periods[int(key)], Decimal(str(values[0])))
                  for key, values in series["observations"].items()
                  if periods[int(key)] <= day)
    if not seen:
        raise ValueError(f"no observation on or before {day}")
    quoted_on, value = seen[-1]
    return quoted_on, value.scaleb(-multiplier)
