"""Spreadsheet exports: cells that show what was typed and never run as a formula.

Excel, WPS and LibreOffice take text that starts with ``=``, ``+``, ``-`` or ``@``
(and, once pasted or imported, a tab or carriage return before them) for a
formula: a complaint summary like ``=HYPERLINK("http://…")`` would become a link,
or worse. Every export writes its rows through ``append_row``, which puts a quote
before such text, as the spreadsheets themselves do for text typed that way.
"""

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_value(value):
    """``value`` as it may go into a cell: text a spreadsheet would run gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def append_row(sheet, values: Iterable) -> None:
    """Append a row of ``values`` to an openpyxl worksheet, each made safe by ``cell_value``."""
    sheet.append([cell_value(value) for value in values])
