"""Spreadsheet exports: text that starts like a formula is written as text (app/exports.py)."""

from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from app.exports import append_row, cell_value


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+86 138 0013 8000", "'+86 138 0013 8000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("家中信号差", "家中信号差"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_text_that_starts_like_a_formula_gets_a_leading_quote(typed, written):
    assert cell_value(typed) == written


@pytest.mark.parametrize("value", [None, 0, -5, Decimal("-100.00"), 3.5, datetime(2026, 11, 28, 9, 30), True])
def test_numbers_times_and_empty_cells_stay_as_they_are(value):
    assert cell_value(value) is value


def test_a_saved_workbook_holds_text_where_formulas_were_typed(tmp_path):
    workbook = Workbook()
    append_row(workbook.active, ["DG202611280001", '=HYPERLINK("http://x")', "-1", Decimal("-80.00"), "@cmd"])
    workbook.save(tmp_path / "export.xlsx")
    row = next(load_workbook(tmp_path / "export.xlsx").active.iter_rows())
    assert [cell.data_type for cell in row] == ["s", "s", "s", "n", "s"]
    assert [cell.value for cell in row] == ["DG202611280001", '\'=HYPERLINK("http://x")', "'-1", -80, "'@cmd"]


def test_without_the_helper_openpyxl_would_write_a_formula(tmp_path):
    workbook = Workbook()
    workbook.active.append(['=HYPERLINK("http://x")'])
    assert workbook.active["A1"].data_type == "f"
