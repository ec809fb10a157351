"""Per diem (*diett*, *kostgodtgjørelse*) under the state agreement, and its tax split.

State agreement (what is paid), RATES.md §1:
  * nothing unless the trip is at least ``min_distance_km`` from home one way and
    lasts at least ``min_hours``;
  * a *døgn* is 24 h counted from departure;
  * with overnight stay: rate a per whole døgn; the time after the last whole døgn
    is paid at rate b (6 h to 12 h, both included), rate c (over 12 h) or nothing
    (under 6 h). Example: 09:00 day 1 to 16:00 day 2 = 1 × a + 1 × b;
  * without overnight stay: each started døgn at rate b or c by its length;
  * a provided meal cuts 20/30/50 % of the applicable rate (or of rate a, when
    the rate set says ``meal_deduction.base = "overnight"``), never more than
    that døgn's rate;
  * *nattillegg* per night of private / undocumented lodging;
  * from day 29 at the same place other rules apply: warn, compute 28 døgn.

Tax (what of it is tax-free), RATES.md §2, computed døgn by døgn:
  * 6 h or more into a new døgn counts as a whole døgn at the lodging's limit;
  * the limit of a døgn with overnight depends on where the night was spent
    (hotel, boarding house, room with kitchen / private); day trips 200 / 400;
  * meal deductions of the same percentages cut the limit of that døgn;
  * tax-free = min(paid for that døgn, its limit); the rest is taxable.

Decisions where the sources are silent, written down here so they can be found:
  * an overnight trip shorter than 24 h counts one whole døgn at rate a;
  * a døgn beyond the nights given keeps the lodging of the last night;
  * a meal belongs to the døgn that holds its usual time on that date (breakfast
    07:00, lunch 12:00, dinner 18:00), or the nearest døgn of the trip;
  * nattillegg is paid for ``private`` nights only: the other lodging types are
    paid on receipt;
  * times without a zone are wall-clock times in Norway (Europe/Oslo); hours and
    døgn are counted in real elapsed time, so a trip across a daylight-saving
    change is an hour shorter or longer than the clocks suggest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from domain.calc.result import LineResult, Notice, income_parts, kr, tax_split_text
from domain.calendar import OSLO
from domain.lines import MEAL_NAMES, Night, PerDiem
from domain.money import ZERO, round_ore
from domain.rates.model import PaidRates, TaxFreeLimits
from domain.text import Text

DAY = timedelta(hours=24)
ONE = Decimal(1)
# A-melding codes (RATES.md §3): the tax-free part by where the night was spent, the
# taxable surplus, and nattillegg; counts are døgn and nights
LODGING_CODE = {"hotel": "reiseKostMedOvernattingPaaHotell",
                "boarding": "reiseKostMedOvernattingPaaHybelUtenKokEllerPensjonatEllerBrakke",
                "kitchen": "reiseKostMedOvernattingPaaHybelMedKokEllerPrivat",
                "private": "reiseKostMedOvernattingPaaHybelMedKokEllerPrivat"}
DAY_TRIP = "reiseKostUtenOvernatting"
TAXABLE = "reiseKost"
NIGHT = "reiseNattillegg"
NIGHT_STARTS = time(22)
LOCAL = OSLO
_MEAL_TIME = {"breakfast": time(7), "lunch": time(12), "dinner": time(18)}
_LODGING_NB = {"hotel": "hotell", "boarding": "pensjonat/hybel uten kokemulighet",
               "kitchen": "hybel med kokemulighet", "private": "privat"}


@dataclass(frozen=True, slots=True)
class _Period:
    """One døgn (or the remainder after the last whole døgn) of a trip."""

    index: int
    start: datetime
    end: datetime
    rate_code: str  # "a", "b", "c"
    rate: Decimal

    @property
    def length(self) -> timedelta:
        return self.end - self.start


def _hm(delta: timedelta) -> Text:
    minutes = int(delta.total_seconds()) // 60
    hours, mins = divmod(minutes, 60)
    return Text(f"{hours} t {mins} min", f"{hours} h {mins} min")


def _utc(moment: datetime) -> datetime:
    """The same instant in UTC; a time without a zone is Norwegian wall-clock time."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=LOCAL)).astimezone(UTC)


def _local_instant(day: date, at: time, like: datetime) -> datetime:
    """An instant on ``day`` at wall-clock ``at``, in UTC, in the line's time zone."""
    return _utc(datetime.combine(day, at, tzinfo=like.tzinfo))


def _day_rate(paid: PaidRates, length: timedelta) -> tuple[str, Decimal] | None:
    """Rate b or c for a period of this length without a whole døgn of overnight."""
    if length > timedelta(hours=12):
        return "c", paid.day_over_12
    if length >= timedelta(hours=float(paid.min_hours)):
        return "b", paid.day_6_12
    return None


def _periods(line: PerDiem, paid: PaidRates, end: datetime) -> list[_Period]:
    """Split the trip (in UTC) into the døgn that are paid, with the rate of each."""
    overnight = bool(line.nights)
    periods: list[_Period] = []
    start = _utc(line.departure)
    while end - start >= DAY:
        code, rate = ("a", paid.overnight) if overnight else ("c", paid.day_over_12)
        periods.append(_Period(len(periods), start, start + DAY, code, rate))
        start += DAY
    if start < end:
        if overnight and not periods:
            periods.append(_Period(0, start, end, "a", paid.overnight))
        elif (found := _day_rate(paid, end - start)) is not None:
            periods.append(_Period(len(periods), start, end, *found))
    return periods


def _meals_by_period(line: PerDiem, periods: list[_Period]) -> dict[int, list[str]]:
    """Which provided meals fall in which paid døgn (see the module docstring)."""
    found: dict[int, list[str]] = {p.index: [] for p in periods}
    if not periods:
        return found
    for day in line.meals:
        for meal in day.provided():
            at = _local_instant(day.date, _MEAL_TIME[meal], line.departure)
            target = next((p for p in periods if p.start <= at < p.end), None)
            if target is None:
                target = periods[0] if at < periods[0].start else periods[-1]
            found[target.index].append(meal)
    return found


def _deduction(meals: list[str], pct: Mapping[str, Decimal], base: Decimal,
               cap: Decimal) -> Decimal:
    """Meal deductions of one døgn: percentages of ``base``, never more than ``cap``."""
    return min(sum((pct[m] * base for m in meals), ZERO), cap)


def why_no_per_diem(departure: datetime, return_at: datetime, distance_km: Decimal | None,
                    paid: PaidRates) -> Notice | None:
    """Why a trip gives no per diem (the 15 km / 6 h conditions), as far as it is known.

    ``distance_km`` None: not asked yet, so only the times are judged. None: no reason yet.
    """
    duration = _utc(return_at) - _utc(departure)
    if distance_km is not None and distance_km < paid.min_distance_km:
        return Notice("per_diem_too_short_distance", Text(
            f"Ingen diett: reisen er under {paid.min_distance_km} km fra hjem/arbeidssted",
            f"No per diem: the trip is under {paid.min_distance_km} km from home/work"))
    if duration < timedelta(hours=float(paid.min_hours)):
        return Notice("per_diem_too_short_time", Text(
            f"Ingen diett: reisen varte {_hm(duration).nb}, under {paid.min_hours} timer",
            f"No per diem: the trip lasted {_hm(duration).en}, under {paid.min_hours} hours"))
    return None


def _not_qualified(line: PerDiem, paid: PaidRates) -> LineResult | None:
    """The zero result with the reason, when the 15 km / 6 h conditions fail."""
    notice = why_no_per_diem(line.departure, line.return_at, line.distance_km, paid)
    if notice is None:
        return None
    return LineResult(ZERO, ZERO, (notice.text,), (notice,))


def compute_per_diem(line: PerDiem, paid: PaidRates, limits: TaxFreeLimits) -> LineResult:
    """Compute a trip's per diem and nattillegg, with the tax-free part døgn by døgn."""
    used = {**{f"paid.{k}": v for k, v in paid.used.items()
               if k.startswith(("per_diem.", "meal_deduction."))},
            **{f"taxfree.{k}": v for k, v in limits.used.items()
               if k.startswith(("per_diem.", "meal_deduction."))}}
    refused = _not_qualified(line, paid)
    if refused is not None:
        return LineResult(refused.amount, refused.taxfree, refused.breakdown, refused.warnings,
                          used)
    warnings: list[Notice] = []
    end = _utc(line.return_at)
    limit_end = _utc(line.departure) + paid.max_days * DAY
    if end > limit_end:
        end = limit_end
        warnings.append(Notice("per_diem_over_28_days", Text(
            f"Reisen er lengre enn {paid.max_days} døgn: fra døgn {paid.max_days + 1} gjelder "
            "andre regler. Bare de første døgnene er regnet ut; snakk med arbeidsgiver.",
            f"The trip is longer than {paid.max_days} døgn: from day {paid.max_days + 1} "
            "other rules apply. Only the first days are computed; ask your employer.")))
    if not line.nights and line.return_at.date() > line.departure.date():
        warnings.append(Notice("per_diem_midnight_without_night", Text(
            "Reisen går over midnatt uten registrert overnatting. "
            "Legg til natten om du overnattet.",
            "The trip passes midnight with no overnight stay given. Add the night if you "
            "stayed overnight.")))

    periods = _periods(line, paid, end)
    meals = _meals_by_period(line, periods)
    nights = sorted((n for n in line.nights
                     if _local_instant(n.date, NIGHT_STARTS, line.departure) < end),
                    key=lambda n: n.date)
    length = _hm(_utc(line.return_at) - _utc(line.departure))
    breakdown: list[Text] = [Text(
        f"Reise {line.departure:%d.%m.%Y %H:%M} – {line.return_at:%d.%m.%Y %H:%M}: "
        f"{length.nb}, {line.distance_km} km fra hjemmet",
        f"Trip {line.departure:%d.%m.%Y %H:%M} – {line.return_at:%d.%m.%Y %H:%M}: "
        f"{length.en}, {line.distance_km} km from home")]
    amount, taxfree = ZERO, ZERO
    pieces: list[tuple[str, Decimal, Decimal, Decimal]] = []  # A-melding, per døgn and night
    for period in periods:
        paid_net, free, code = _one_period(period, meals[period.index], nights, paid, limits,
                                           breakdown)
        amount += paid_net
        taxfree += free
        # each døgn is counted once: under its tax-free code, or under reiseKost when
        # nothing of it is tax-free (RATES.md §3; the README's "Payroll counts")
        pieces += [(code, ONE, free, ZERO),
                   (TAXABLE, ZERO if free else ONE, ZERO, paid_net - free)]
    for night in nights:
        if night.lodging == "private":
            free = min(paid.night_supplement, limits.night_supplement)
            amount += paid.night_supplement
            taxfree += free
            pieces.append((NIGHT, ONE, free, paid.night_supplement - free))
            breakdown.append(Text(
                f"Nattillegg natt til {night.date + timedelta(days=1):%d.%m.}: "
                f"{kr(paid.night_supplement)}",
                f"Night supplement, night before {night.date + timedelta(days=1):%d.%m.}: "
                f"{kr(paid.night_supplement)}"))
    amount, taxfree = round_ore(amount), round_ore(taxfree)
    breakdown.append(tax_split_text(amount, taxfree))
    parts = income_parts(pieces, taxfree, amount - taxfree)
    return LineResult(amount, taxfree, tuple(breakdown), tuple(warnings), used, parts)


def _one_period(period: _Period, meals: list[str], nights: list[Night],
                paid: PaidRates, limits: TaxFreeLimits,
                breakdown: list[Text]) -> tuple[Decimal, Decimal, str]:
    """Paid and tax-free amounts of one døgn and its A-melding code; adds its breakdown."""
    n = period.index + 1
    label = {"a": Text("døgnsats med overnatting", "overnight rate"),
             "b": Text("6–12 timer", "6–12 hours"),
             "c": Text("over 12 timer", "over 12 hours")}[period.rate_code]
    breakdown.append(Text(
        f"Døgn {n} ({_hm(period.length).nb}): {label.nb} {kr(period.rate)}",
        f"Day {n} ({_hm(period.length).en}): {label.en} {kr(period.rate)}"))
    base = paid.overnight if paid.meal_base == "overnight" else period.rate
    cut = _deduction(meals, paid.meal_pct, base, period.rate)
    if cut:
        names_nb = ", ".join(MEAL_NAMES[m].nb for m in meals)
        breakdown.append(Text(f"  måltidstrekk ({names_nb}): −{kr(cut)}",
                              f"  meal deduction ({', '.join(meals)}): −{kr(cut)}"))
    paid_net = period.rate - cut

    code = DAY_TRIP
    if nights:
        lodging = nights[min(period.index, len(nights) - 1)].lodging
        code = LODGING_CODE[lodging]
    if period.length < timedelta(hours=float(limits.new_day_hours)):
        limit, limit_label = ZERO, Text(f"under {limits.new_day_hours} timer",
                                        f"under {limits.new_day_hours} hours")
    elif nights:
        limit = limits.lodging[lodging]
        limit_label = Text(_LODGING_NB[lodging], lodging)
    else:
        long_day = period.length > timedelta(hours=12)
        limit = limits.day_over_12 if long_day else limits.day_6_12
        limit_label = Text("over 12 timer" if long_day else "6–12 timer",
                           "over 12 hours" if long_day else "6–12 hours")
    limit_net = limit - _deduction(meals, limits.meal_pct, limit, limit)
    free = max(ZERO, min(paid_net, limit_net))
    breakdown.append(Text(
        f"  trekkfri grense ({limit_label.nb}) {kr(limit)}: trekkfritt {kr(free)}",
        f"  tax-free limit ({limit_label.en}) {kr(limit)}: tax-free {kr(free)}"))
    return paid_net, free, code
