"""The meetings as an Excel workbook: the export's columns (register/export.py), written
row by row with XlsxWriter's constant-memory mode, so a large register takes no more
memory than a small one.

Dates and times are real dates and times, numbers are numbers, text is text: a value that
a spreadsheet could take for a formula is a text cell marked with Excel's own quote
prefix, shown as typed and kept as text when edited.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import BinaryIO

import xlsxwriter

from .export import COLUMNS, FORMULA_TRIGGERS, MULTI_VALUE_SEPARATOR, ExportRow, column_value

# Excel's limit is 1 048 576 rows a sheet; one of them is the header.
MAX_ROWS = 1_048_575
_FORMULA_STARTS = frozenset(FORMULA_TRIGGERS)
# Characters wide, by the kind of value: enough to read without widening by hand.
_WIDTHS = {"integer": 8, "date": 12, "datetime": 20}
_WIDE_TEXT = {"subject": 48, "summary": 60, "outcome": 48, "url": 40, "document_links": 40}


def write_workbook(rows: Iterable[ExportRow], target: BinaryIO) -> None:
    """Write the meetings to `target`, an open binary file."""
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    header = workbook.add_format({"bold": True, "bottom": 1})
    as_date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    as_datetime = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    quoted = workbook.add_format({"quote_prefix": True})
    sheet = workbook.add_worksheet("meetings")
    sheet.freeze_panes(1, 0)
    for index, column in enumerate(COLUMNS):
        width = _WIDTHS.get(column.type) or _WIDE_TEXT.get(column.name, 24)
        sheet.set_column(index, index, width)
        sheet.write_string(0, index, column.name, header)

    for number, row in enumerate(rows, start=1):
        for index, column in enumerate(COLUMNS):
            value = column_value(column, row)
            if column.multi:
                value = MULTI_VALUE_SEPARATOR.join(value)
            if value is None or value == "":
                continue
            if column.type == "integer":
                sheet.write_number(number, index, value)
            elif column.type == "date":
                sheet.write_datetime(number, index, date.fromisoformat(value), as_date)
            elif column.type == "datetime":
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
                sheet.write_datetime(number, index, moment.replace(tzinfo=None), as_datetime)
            elif value[0] in _FORMULA_STARTS:
                sheet.write_string(number, index, value, quoted)
            else:
                sheet.write_string(number, index, value)
    sheet.autofilter(0, 0, 0, len(COLUMNS) - 1)
    workbook.close()
