"""The claim as a PDF form, laid out like an association's *reiseregningsskjema*.

Header with the payers, the claimant and the trip; a table of lines with tax-free and
taxable columns; totals; each payer's share (*honorarbrøk*); cost allocation; and the
approval log in place of signatures ("godkjent elektronisk").

Fonts: DejaVu Sans (Debian's ``fonts-dejavu-core``) when it is installed, so every
Norwegian and Sámi letter prints as written; otherwise the PDF core font Helvetica,
which covers Latin-1 (æ ø å Æ Ø Å included). Either way a character the font lacks
becomes a close substitute rather than an error or an empty box.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, XPos, YPos
from fpdf.fonts import TTFFont

from domain.text import Text
from mail.sheet import Sheet, make_sheet
from service.summary import ClaimSummary

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/local/share/fonts/dejavu"))
_SUBSTITUTES = {"–": "-", "—": "-", "−": "-", "→": "->", "✓": "v", "…": "...", "•": "-",
                "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "\u202f": " ", "€": "EUR"}
_RIGHT = ("RIGHT", "RIGHT", "RIGHT")
_GREY = FontFace(emphasis="BOLD", fill_color=(225, 225, 225))
_WORDS = {
    "form": Text("Reiseregning", "Travel expense claim"), "payer": Text("Betaler", "Payer"),
    "payers": Text("Betalere", "Payers"), "name": Text("Navn", "Name"),
    "account": Text("Kontonummer", "Bank account"), "reference": Text("Referanse", "Reference"),
    "status": Text("Status", "Status"), "title": Text("Tittel", "Title"),
    "purpose": Text("Formål", "Purpose"), "route": Text("Reiserute", "Route"),
    "period": Text("Periode", "Period"), "lines": Text("Linjer", "Lines"),
    "no": Text("Nr", "No"), "date": Text("Dato", "Date"), "kind": Text("Type", "Kind"),
    "what": Text("Beskrivelse og utregning", "Description and computation"),
    "amount": Text("Beløp", "Amount"), "taxfree": Text("Trekkfritt", "Tax-free"),
    "taxable": Text("Trekkpliktig", "Taxable"), "total": Text("Sum", "Total"),
    "split": Text("Fordeling per betaler", "Split per payer"), "share": Text("Andel", "Share"),
    "split_note": Text(
        "Linjer merket honorarbrøk er fordelt i forhold til hver betalers honorarer.",
        "Lines marked split by fees are divided in proportion to each payer's fees."),
    "allocation": Text("Kostnadsfordeling", "Cost allocation"),
    "notes": Text("Merknader", "Notes"), "approval": Text("Godkjenning", "Approval"),
    "unsubmitted": Text("Ikke sendt inn ennå.", "Not submitted yet."),
    "receipt": Text("kvittering vedlagt", "receipt attached"),
    "electronic": Text(
        "Godkjennes elektronisk ved svar på e-post; skjemaet trenger ingen underskrift.",
        "Approved electronically by email reply; the form needs no signature."),
    "page": Text("Side", "Page"),
}


class _Form(FPDF):
    """An A4 page with the claim reference and page number in the footer."""

    def __init__(self, reference: str, page_word: str) -> None:
        super().__init__(format="A4")
        self.reference, self.page_word = reference, page_word
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(True, margin=14)
        regular = next((d / "DejaVuSans.ttf" for d in FONT_DIRS
                        if (d / "DejaVuSans.ttf").is_file() and (d / "DejaVuSans-Bold.ttf")
                        .is_file()), None)
        if regular is not None:
            self.add_font("DejaVu", "", str(regular))
            self.add_font("DejaVu", "B", str(regular.with_name("DejaVuSans-Bold.ttf")))
            self.family = "DejaVu"
            self.set_font(self.family, size=9)
            font = self.current_font
            glyphs = set(font.cmap) if isinstance(font, TTFFont) else set()
            self.has_glyph: Callable[[str], bool] = lambda ch: ord(ch) in glyphs
        else:
            self.family = "Helvetica"
            self.set_font(self.family, size=9)
            self.has_glyph = lambda ch: ord(ch) < 256 and unicodedata.category(ch) != "Cc"

    def safe(self, text: str) -> str:
        """``text`` with every character the font lacks replaced or dropped."""
        out = []
        for ch in text:
            if ch == "\n" or self.has_glyph(ch):
                out.append(ch)
            elif ch in _SUBSTITUTES:
                out.append(_SUBSTITUTES[ch])
            else:
                base = unicodedata.normalize("NFKD", ch)[:1]
                if base and self.has_glyph(base):
                    out.append(base)
                elif not unicodedata.category(ch).startswith("S"):
                    out.append("?")  # a letter we cannot print: show that one is missing
        return "".join(out)

    def footer(self) -> None:
        """Reference and page number at the bottom of every page."""
        self.set_y(-10)
        self.set_font(self.family, size=7)
        self.cell(0, 4, self.safe(f"{self.reference}   {self.page_word} {self.page_no()}"
                                  f"/{{nb}}"), align="R")

    def heading(self, text: str) -> None:
        """A section heading with a little air above it, never alone at a page's foot."""
        if self.will_page_break(30):
            self.add_page()
        self.ln(3)
        self.set_font(self.family, "B", 10)
        self.cell(0, 6, self.safe(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.family, size=8)

    def grid(self, rows: Sequence[Sequence[str]], widths: Sequence[float],
             align: Sequence[str], heads: bool = True, bold_last: bool = False) -> None:
        """A table; the first row is the heading when ``heads``."""
        with self.table(col_widths=tuple(widths), text_align=tuple(align),
                        line_height=self.font_size * 1.45,
                        headings_style=_GREY, first_row_as_headings=heads,
                        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
                        padding=(0.8, 1)) as table:
            for i, cells in enumerate(rows):
                style = FontFace(emphasis="BOLD") if bold_last and i == len(rows) - 1 else None
                row = table.row(style=style)
                for cell in cells:
                    row.cell(self.safe(cell))


def _header(pdf: _Form, sheet: Sheet, w: Callable[[str], str]) -> None:
    pdf.set_font(pdf.family, "B", 16)
    pdf.cell(120, 9, pdf.safe(w("form").upper()))
    pdf.cell(0, 9, pdf.safe(sheet.reference), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(pdf.family, size=10)
    payers = w("payers") if len(sheet.payers) > 1 else w("payer")
    pdf.multi_cell(0, 5, pdf.safe(f"{payers}: {', '.join(sheet.payers)}"),
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    fields = [("name", sheet.claimant), ("account", sheet.bank_account or ""),
              ("reference", sheet.reference), ("status", sheet.status), ("title", sheet.title),
              ("purpose", sheet.purpose), ("route", sheet.route), ("period", sheet.period)]
    pdf.set_font(pdf.family, size=9)
    pdf.grid([(w(k), v) for k, v in fields if v], (30, 156), ("LEFT", "LEFT"), heads=False)


def _lines(pdf: _Form, sheet: Sheet, w: Callable[[str], str]) -> None:
    pdf.heading(w("lines"))
    rows: list[Sequence[str]] = [tuple(w(k) for k in (
        "no", "date", "kind", "what", "payer", "amount", "taxfree", "taxable"))]
    for r in sheet.rows:
        details = "\n".join(r.details) + (f"\n({w('receipt')})" if r.receipt else "")
        cash = (r.money.amount, r.money.taxfree, r.money.taxable) if r.money else ("", "", "")
        rows.append((str(r.number), r.date, r.kind, details, r.payer, *cash))
    rows.append(("", "", w("total"), "", "", sheet.total.amount, sheet.total.taxfree,
                 sheet.total.taxable))
    pdf.set_font(pdf.family, size=7.5)
    pdf.grid(rows, (7, 19, 21, 57, 22, 20, 20, 20),
             ("RIGHT", "LEFT", "LEFT", "LEFT", "LEFT", *_RIGHT), bold_last=True)
    if len(sheet.shares) > 1:
        pdf.heading(w("split"))
        shares: list[Sequence[str]] = [(w("payer"), w("share"), w("taxfree"), w("taxable"))]
        shares += [(s.name, s.money.amount, s.money.taxfree, s.money.taxable)
                   for s in sheet.shares]
        pdf.grid(shares, (96, 30, 30, 30), ("LEFT", *_RIGHT))
        pdf.set_font(pdf.family, size=7)
        pdf.multi_cell(0, 4, pdf.safe(w("split_note")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _closing(pdf: _Form, sheet: Sheet, w: Callable[[str], str]) -> None:
    if sheet.allocation:
        pdf.heading(w("allocation"))
        pdf.grid(sheet.allocation, (40, 146), ("LEFT", "LEFT"), heads=False)
    if sheet.warnings:
        pdf.heading(w("notes"))
        pdf.multi_cell(0, 4.2, pdf.safe("\n".join(f"• {n}" for n in sheet.warnings)),
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.heading(w("approval"))
    pdf.multi_cell(0, 4.2, pdf.safe("\n".join(sheet.log) or w("unsubmitted")),
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    pdf.set_font(pdf.family, size=7)
    pdf.multi_cell(0, 4, pdf.safe(w("electronic")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def claim_pdf(view: ClaimSummary, claimant_name: str, bank_account: str | None,
              lang: str = "nb") -> bytes:
    """The claim as a one-or-two-page PDF form.

    Args:
        view: the claim's summary.
        claimant_name: the claimant's name as printed on the form.
        bank_account: the account as this reader may see it (in full for the payer who
            pays, masked for anyone else), or None to leave it out.
        lang: ``nb`` or ``en``.
    """
    def w(key: str) -> str:
        return _WORDS[key].in_(lang)

    sheet = make_sheet(view, claimant_name, bank_account, lang)
    pdf = _Form(sheet.reference, w("page"))
    pdf.set_title(f"{w('form')} {sheet.reference}")
    pdf.set_creator("Kvitt")
    last = max((event.at for event in view.claim.events), default=None)
    if last is not None:
        pdf.set_creation_date(last)  # the same claim state gives the same bytes
    pdf.add_page()
    _header(pdf, sheet, w)
    _lines(pdf, sheet, w)
    _closing(pdf, sheet, w)
    return bytes(pdf.output())
