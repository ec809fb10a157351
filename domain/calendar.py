"""Norwegian time: deadlines, per diem days and payroll dates follow the clock in Norway.

The process clock is UTC; a claimant who submits at 00:30 in Oslo on the 15th
is on the 15th, even though it is still the 14th in UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.text import Text

OSLO = ZoneInfo("Europe/Oslo")
MONTHS_NB = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
             "september", "oktober", "november", "desember")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
MONTH_NAMES = tuple(map(Text, MONTHS_NB, MONTHS_EN))


def local_date(at: datetime) -> date:
    """The calendar day in Norway at the instant ``at`` (naive means already local)."""
    return at.astimezone(OSLO).date() if at.tzinfo else at.date()
