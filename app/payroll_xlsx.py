"""The payroll export as an Excel workbook, for payroll offices that import xlsx.

The same rows and columns as the CSV; amounts and counts are numbers, not text, so
the sums can be checked in the sheet. The workbook's dates are the payroll date, so
exporting the same run again gives the same content.
"""

from __future__ import annotations

import io
from datetime import datetime, time

from openpyxl import Workbook

from service.payroll import COLUMNS, PayrollExport


def payroll_xlsx(export: PayrollExport) -> bytes:
    """One sheet named after the run, a header row, a row per claimant and code."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"Lonn {export.run.period}"
    sheet.append(list(COLUMNS))
    for row in export.rows:
        sheet.append([export.run.payroll_date, row.claimant, row.bank_account, row.code,
                      row.count, row.taxfree, row.taxable, " ".join(row.references)])
    for cell in sheet["F"][1:] + sheet["G"][1:]:
        cell.number_format = "0.00"
    stamp = datetime.combine(export.run.payroll_date, time(0))
    book.properties.created = book.properties.modified = stamp
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
