"""The chains a Norwegian claimant's receipts come from, told however OCR spelt them.

The bot says what it read in the claimant's words: "Jeg leste: 345,00 kr, 3. november
2026, Circle K". A till prints its chain's name in capitals with the branch after it
(``CIRCLE K LYSAKER``), and OCR of a phone photo loses the spaces and mixes up look-alike
characters (``CIRCLEKLYSAKER``, ``REMA 1O0O GRUNERL0KKA``, ``PEPPESPIZZABERGEN``; the
rendered fixtures of 6 December 2026 read this way in 11 of 42 photos). A receipt from a
known chain is offered by the chain's own name, which is what the claimant would write;
the branch is on the photo the approver gets. Any other merchant is offered as printed.

A row is the chain's when, with case, spaces, punctuation and look-alikes (``0``/``O``,
``1``/``I``/``l``, ``Ø``/``O``) set aside, it begins with the chain's name. A name of
five letters or fewer (``Kiwi``, ``Vy``, ``Shell``) must also be a whole first word as
printed: ``SHELLFISH SHACK`` is no Shell station, and ``VYTOGBILLETT`` stays as read.
The longest name wins (``Coop Extra`` before ``Coop``). Names too common to tell a chain
by (``Best``, ``Max``, ``Power``, ``Extra`` alone) are not in the table.
"""

from __future__ import annotations

import re

# Fuel, groceries, kiosks, food, hotels, travel, taxis, parking and shops a claimant on
# the road pays at, as each chain writes its own name.
CHAINS = (
    "Circle K", "Shell", "Esso", "Uno-X", "YX", "St1", "Statoil",
    "Rema 1000", "Kiwi", "Meny", "Coop Extra", "Coop Prix", "Coop Mega", "Coop Obs",
    "Coop Marked", "Coop", "Spar", "Joker", "Bunnpris", "Matkroken", "Nærbutikken",
    "Europris", "Obs Bygg",
    "Narvesen", "7-Eleven", "Deli de Luca", "Peppes Pizza", "Burger King", "McDonald's",
    "Max Burgers", "Espresso House", "Kaffebrenneriet", "Starbucks", "Subway",
    "Dolly Dimple's", "Pizzabakeren", "Egon",
    "Scandic", "Thon Hotel", "Radisson", "Clarion", "Quality Hotel", "Comfort Hotel",
    "Best Western", "Smarthotel", "Citybox", "First Hotel", "Anker Hotel",
    "Vy", "Flytoget", "Flybussen", "Ruter", "Skyss", "AtB", "Kolumbus", "Brakar",
    "Norwegian", "SAS", "Widerøe", "Fjord Line", "Color Line", "Hurtigruten", "Bane NOR",
    "Go-Ahead", "Boreal", "Fjord1", "Torghatten", "Nettbuss",
    "Oslo Taxi", "Norgestaxi", "Bergen Taxi", "Trondheim Taxi", "Taxus",
    "EasyPark", "Aimo Park", "Onepark", "Apcoa", "Europark",
    "Clas Ohlson", "Biltema", "Jernia", "Elkjøp", "XXL", "Byggmakker", "Apotek 1",
    "Vitusapotek", "Boots apotek",
)
WHOLE_WORD = 5  # a name this short must be a whole first word as printed

_LOOK_ALIKES = str.maketrans({"0": "O", "1": "I", "L": "I", "|": "I", "!": "I",
                              "Ø": "O", "Ö": "O", "Å": "A", "Ä": "A", "Æ": "AE"})
_NOT_LETTERS = re.compile(r"[^A-Z0-9]")


def folded(text: str) -> str:
    """``text`` as OCR might have spelt it: capitals, no spaces or signs, look-alikes one."""
    return _NOT_LETTERS.sub("", text.upper().translate(_LOOK_ALIKES))


_KEYS = sorted(((folded(name), name) for name in CHAINS), key=lambda k: -len(k[0]))


def chain_of(row: str) -> str | None:
    """The chain whose name ``row`` begins with, in the chain's own spelling; or None."""
    whole = folded(row)
    first = folded(row.split()[0]) if row.split() else ""
    for key, name in _KEYS:
        if whole.startswith(key) and (len(key) > WHOLE_WORD or first == key):
            return name
    return None
