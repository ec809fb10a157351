"""Mileage allowance (*kjøregodtgjørelse*) for one leg.

Paid: km × the vehicle's rate, plus supplements per km (each passenger, forest
road, trailer). Tax-free: the same km at Skatteetaten's rates, never more than
what is paid, component by component; the rest is taxable. Published check
(RATES.md §2, 2025): 3000 km by car = 15 000 paid, 10 500 tax-free, 4 500 taxable.
"""

from __future__ import annotations

from decimal import Decimal

from domain.calc.result import LineResult, Notice, income_parts, kr, tax_split_text
from domain.lines import LineError, MileageLeg
from domain.money import ZERO, number_text, round_ore
from domain.rates.model import PaidRates, TaxFreeLimits
from domain.text import Text

CAR = "kilometergodtgjoerelseBil"
PASSENGER = "kilometergodtgjoerelsePassasjertillegg"
OTHER_VEHICLE = "kilometergodtgjoerelseAndreFremkomstmidler"
_VEHICLE_NB = {"car": "bil", "motorcycle": "motorsykkel", "moped": "moped/lett motorsykkel",
               "boat": "motorbåt", "snowmobile": "snøscooter/ATV"}
_VEHICLE_EN = {"car": "car", "motorcycle": "motorcycle", "moped": "moped/light motorcycle",
               "boat": "motor boat", "snowmobile": "snowmobile/ATV"}


def _part(nb: str, en: str, km: Decimal, rate: Decimal, times: int = 1) -> tuple[Decimal, Text]:
    amount = km * rate * times
    prefix_nb = f"{times} × " if times > 1 else ""
    n = number_text(km)
    return amount, Text(f"{nb}: {prefix_nb}{n.nb} km × {kr(rate)} = {kr(amount)}",
                        f"{en}: {prefix_nb}{n.en} km × {kr(rate)} = {kr(amount)}")


def compute_mileage(leg: MileageLeg, paid: PaidRates, limits: TaxFreeLimits) -> LineResult:
    """Compute one driving leg with the rates valid on its date."""
    rate = paid.km.get(leg.vehicle)
    if rate is None:
        raise LineError("vehicle", Text(
            f"satssettet {paid.name} har ingen km-sats for {_VEHICLE_NB[leg.vehicle]} "
            f"på {leg.date.isoformat()}",
            f"rate set {paid.name} has no km rate for {_VEHICLE_EN[leg.vehicle]} "
            f"on {leg.date.isoformat()}"))
    keys = [f"km.{leg.vehicle}", "km.min_return_km"]
    keys += ["km.passenger"] * bool(leg.passengers) + ["km.forest_road"] * bool(
        leg.forest_road_km) + ["km.trailer"] * bool(leg.trailer_km)
    used = {**{f"paid.{k}": paid.used[k] for k in keys if k in paid.used},
            **{f"taxfree.{k}": limits.used[k] for k in keys if k in limits.used}}
    if leg.km < paid.min_return_km:
        text = Text(f"Ingen kjøregodtgjørelse under {paid.min_return_km} km tur/retur",
                    f"No mileage allowance under {paid.min_return_km} km return")
        return LineResult(ZERO, ZERO, (text,), (Notice("mileage_below_minimum", text),), used)

    n = len(leg.passengers)
    vehicle_free = min(rate, limits.km.get(leg.vehicle, ZERO))
    # (shown, tax-free, A-melding code, count): supplements for forest road and trailer are
    # reported with the vehicle's km (RATES.md §3 has no code of their own)
    code = CAR if leg.vehicle == "car" else OTHER_VEHICLE
    components = [(_part(_VEHICLE_NB[leg.vehicle].capitalize(),
                         _VEHICLE_EN[leg.vehicle].capitalize(), leg.km, rate),
                   leg.km * vehicle_free, code, leg.km)]
    if n:
        components.append((_part("Passasjertillegg", "Passenger supplement", leg.km,
                                 paid.passenger, n),
                           leg.km * n * min(paid.passenger, limits.passenger),
                           PASSENGER, leg.km * n))
    if leg.forest_road_km:
        components.append((_part("Skogs-/anleggsvei", "Forest/construction road",
                                 leg.forest_road_km, paid.forest_road),
                           leg.forest_road_km * min(paid.forest_road, limits.forest_road),
                           code, ZERO))
    if leg.trailer_km:
        components.append((_part("Tilhenger/utstyr", "Trailer/equipment", leg.trailer_km,
                                 paid.trailer),
                           leg.trailer_km * min(paid.trailer, limits.trailer), code, ZERO))
    amount = round_ore(sum((paid_part for (paid_part, _), _, _, _ in components), ZERO))
    taxfree = round_ore(sum((free for _, free, _, _ in components), ZERO))
    parts = income_parts(((c, count, free, paid_part - free)
                          for (paid_part, _), free, c, count in components),
                         taxfree, amount - taxfree)
    warnings: list[Notice] = []
    if leg.vehicle not in limits.km and amount > 0:
        warnings.append(Notice("no_taxfree_rate", Text(
            "Ingen trekkfri sats for kjøretøyet: hele beløpet er trekkpliktig",
            "No tax-free rate for this vehicle: the whole amount is taxable")))
    breakdown = [text for (_, text), _, _, _ in components]
    if paid.name != "state":  # a region's or federation's own rate, not the state's 5,30
        breakdown.append(Text(f"Km-satsen er fra satssettet {paid.name}, ikke statens sats",
                              f"The km rate is from the rate set {paid.name}, not the "
                              "state's rate"))
    if n:
        names = ", ".join(leg.passengers)
        breakdown.append(Text(f"Passasjerer: {names}", f"Passengers: {names}"))
    breakdown.append(tax_split_text(amount, taxfree))
    return LineResult(amount, taxfree, tuple(breakdown), tuple(warnings), used, parts)
