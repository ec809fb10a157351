"""Norwegian receipts made here: rendered like a till's print, then photographed badly.

SROIE has no Norwegian words, so these cover ``Totalt``, ``Å betale``, ``Sum``,
``MVA``, ``BankAxept``, ``Veksel``, ``dd.mm.yy`` and month names. Each receipt is
rendered clean, then degraded the ways phone photos are (blur, rotation,
perspective, JPEG noise); one is a PDF with a text layer, one an HEIC. Everything
is seeded, so every run sees the same files. The bench and the tests share them.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
WIDTH = 42  # characters per line, as on an 80 mm till roll


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a receipt says and how it prints its date and total."""

    merchant: str
    when: date
    date_text: str
    items: tuple[tuple[str, Decimal], ...]
    total_label: str
    payment: str
    cash: Decimal | None = None

    @property
    def total(self) -> Decimal:
        """The sum of the items."""
        return sum((price for _, price in self.items), Decimal(0))

    def lines(self) -> list[str]:
        """The printed lines."""
        def row(left: str, amount: Decimal) -> str:
            right = f"{amount:.2f}".replace(".", ",")
            return left + right.rjust(WIDTH - len(left))
        vat = (self.total * Decimal("0.2")).quantize(Decimal("0.01"))
        out = [self.merchant.upper(), "Org.nr. 987 654 321 MVA", "Storgata 1, 0155 Oslo", "",
               f"Dato: {self.date_text}   Kl. 14:32", "Kvittering nr. 48213", ""]
        out += [row(name, price) for name, price in self.items]
        out += ["-" * WIDTH, row("Sum varer", self.total), row("MVA 25%", vat),
                row(self.total_label, self.total), ""]
        if self.cash is not None:
            out += [row("Kontant", self.cash), row("Veksel", self.cash - self.total)]
        else:
            out += [row(self.payment, self.total), "Kortnr: ************1234", "GODKJENT"]
        return [*out, "", "Takk for handelen!", "Velkommen tilbake"]


RECEIPTS = (
    Receipt("Circle K Lysaker", date(2026, 11, 3), "03.11.26",
            (("Diesel 41,2 l", Decimal("789.90")), ("Kaffe stor", Decimal("45.00"))),
            "TOTALT", "BankAxept"),
    Receipt("Rema 1000 Grunerlokka", date(2026, 10, 14), "14.10.2026",
            (("Melk 1l", Decimal("24.90")), ("Brod grovt", Decimal("39.90")),
             ("Bananer", Decimal("18.45"))), "Å BETALE", "Bank", Decimal("100.00")),
    Receipt("Narvesen Oslo S", date(2026, 9, 2), "2. september 2026",
            (("Avis", Decimal("49.00")), ("Vann 0,5l", Decimal("32.00"))), "Sum", "Visa"),
    Receipt("Peppes Pizza Bergen", date(2026, 8, 21), "2026-08-21",
            (("Pizza stor", Decimal("329.00")), ("Brus", Decimal("59.00")),
             ("Salat", Decimal("89.00"))), "Totalt", "Mastercard"),
    Receipt("Scandic Hotell Trondheim", date(2026, 3, 5), "05.03.26",
            (("Overnatting 1 natt", Decimal("1290.00")), ("Parkering", Decimal("250.00"))),
            "TOTAL NOK", "BankAxept"),
    Receipt("Kiwi Majorstuen", date(2026, 1, 30), "30/01/2026",
            (("Kaffe", Decimal("89.90")), ("Frukt", Decimal("23.50"))), "Totalt",
            "Kontant", Decimal("200.00")),
    Receipt("Shell Gardermoen", date(2026, 6, 12), "12. juni 2026",
            (("Bensin 95 30,1 l", Decimal("612.40")),), "Beløp", "BankAxept"),
    Receipt("Vy Togbillett", date(2026, 4, 9), "09.04.2026",
            (("Oslo S - Lillehammer", Decimal("498.00")),), "Å betale", "Visa"),
)


def render(receipt: Receipt, scale: float = 1.0) -> Image.Image:
    """The receipt as a clean white scan."""
    return render_lines(receipt.lines(), scale)


def render_lines(lines: list[str], scale: float = 1.0) -> Image.Image:
    """Printed ``lines`` as a clean white scan: a receipt printed some other way than ours."""
    size = round(22 * scale)
    font, bold = ImageFont.truetype(FONT, size), ImageFont.truetype(BOLD, size)
    step = round(size * 1.45)
    image = Image.new("L", (round(size * 0.62 * WIDTH) + 2 * size, step * len(lines) + 3 * size),
                      255)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        face = bold if number == 0 or "BETALE" in line.upper() or "TOTAL" in line.upper() \
            else font
        draw.text((size, size + number * step), line, fill=20, font=face)
    return image


def photo_of(lines: list[str]) -> bytes:
    """Printed ``lines`` photographed: tilted a little and saved as a phone's JPEG."""
    return _jpeg(render_lines(lines).rotate(1.5, expand=True, fillcolor=235), 80)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _blur(image: Image.Image, rng: random.Random) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(1.4))


def _rotate(image: Image.Image, rng: random.Random) -> Image.Image:
    return image.rotate(rng.choice((-1, 1)) * rng.uniform(3, 7), expand=True, fillcolor=235,
                        resample=Image.Resampling.BICUBIC)


def _perspective(image: Image.Image, rng: random.Random) -> Image.Image:
    width, height = image.size
    inset = width * rng.uniform(0.05, 0.09)
    # Top edge narrower than the bottom: the phone was held tilted over the table.
    quad = (-inset, 0, -inset * 0.2, height, width + inset * 0.2, height, width + inset, 0)
    return image.transform(image.size, Image.Transform.QUAD, quad, fillcolor=235,
                           resample=Image.Resampling.BICUBIC)


def _noise(image: Image.Image, rng: random.Random) -> Image.Image:
    noisy = image.point(lambda v: v)  # a copy
    pixels = noisy.load()
    assert pixels is not None
    for _ in range(image.width * image.height // 40):
        x, y = rng.randrange(image.width), rng.randrange(image.height)
        pixels[x, y] = rng.choice((0, 128, 255))
    return noisy.filter(ImageFilter.GaussianBlur(0.6))


DEGRADATIONS: dict[str, tuple[Callable[[Image.Image, random.Random], Image.Image], int]] = {
    "blur": (_blur, 80), "rotated": (_rotate, 80), "perspective": (_perspective, 80),
    "noisy": (_noise, 30),  # JPEG quality 30: blocky, as a phone's compression of a dim photo
}


@dataclass(frozen=True, slots=True)
class Fixture:
    """One file to read, and what is true of it."""

    name: str
    data: bytes
    total: Decimal
    when: date


def pdf(receipt: Receipt) -> bytes:
    """The receipt as a web shop's PDF: real text, no picture."""
    return pdf_of(receipt.lines())


def pdf_of(lines: list[str]) -> bytes:
    """A PDF whose text layer is ``lines``: a receipt printed some other way than ours."""
    from fpdf import FPDF

    document = FPDF(format=(80, 200))
    document.add_page()
    document.add_font("mono", fname=FONT)
    document.set_font("mono", size=6.5)
    for line in lines:
        document.cell(0, 3.5, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


def heic(receipt: Receipt) -> bytes:
    """The receipt as an iPhone sends it: HEIC, slightly rotated."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    _rotate(render(receipt), random.Random(7)).convert("RGB").save(out, format="HEIF",
                                                                   quality=70)
    return out.getvalue()


def norwegian_fixtures() -> list[Fixture]:
    """Every receipt in every degradation, plus a PDF and an HEIC (seeded: always the same)."""
    rng = random.Random(2026)
    out: list[Fixture] = []
    for number, receipt in enumerate(RECEIPTS):
        clean = render(receipt, scale=rng.uniform(0.8, 1.2))
        out.append(Fixture(f"no{number}-clean.png", _png(clean), receipt.total, receipt.when))
        for name, (degrade, quality) in DEGRADATIONS.items():
            out.append(Fixture(f"no{number}-{name}.jpg", _jpeg(degrade(clean, rng), quality),
                               receipt.total, receipt.when))
    out.append(Fixture("no0.pdf", pdf(RECEIPTS[0]), RECEIPTS[0].total, RECEIPTS[0].when))
    out.append(Fixture("no1.heic", heic(RECEIPTS[1]), RECEIPTS[1].total, RECEIPTS[1].when))
    return out


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
