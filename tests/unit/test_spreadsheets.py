"""The spreadsheet writer: no text cell of an export can run as a formula."""

import csv
import io
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from helpdesk import spreadsheets
from helpdesk.spreadsheets import csv_lines, csv_text, read_cell, safe_cell, xlsx_bytes

FORMULA = '=HYPERLINK("http://x","y")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (FORMULA, "'" + FORMULA),
        ("+1", "'+1"),
        ("-", "'-"),
        ("-5", "'-5"),  # text that looks like a number is still text
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("'quoted", "''quoted"),  # read_cell gives back the quote
        ("a=b", "a=b"),
        (" =1", " =1"),
        ("Hà Nội", "Hà Nội"),
        ("", ""),
        (-5, -5),  # a number is no formula
        (2.5, 2.5),
        (None, None),
    ],
)
def test_text_that_would_run_is_written_behind_a_quote(value, written):
    assert safe_cell(value) == written


@given(st.text())
def test_an_import_reads_back_what_was_written(text):
    assert read_cell(safe_cell(text)) == text


def test_read_cell_keeps_a_quote_typed_before_plain_text():
    assert read_cell("'001") == "'001"


def test_csv_cells_are_formula_safe_and_numbers_stay_numbers():
    text = csv_text([["name", "count"], [FORMULA, -3]], bom=False)
    assert list(csv.reader(io.StringIO(text))) == [["name", "count"], ["'" + FORMULA, "-3"]]


def test_csv_lines_come_one_row_at_a_time_after_the_bom():
    lines = list(csv_lines([["a"], ["=b"]]))
    assert lines == [spreadsheets.BOM, "a\r\n", "'=b\r\n"]


def test_xlsx_cells_are_text_not_formulas():
    data = xlsx_bytes([["name", "count"], [FORMULA, 7], ["bell\x07", None]], sheet="report")
    sheet = load_workbook(io.BytesIO(data))["report"]
    assert sheet["A2"].value == "'" + FORMULA
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 7
    assert sheet["A3"].value == "bell\ufffd"  # XML cannot carry it; openpyxl would refuse


def streamed_sheet(rows, **options):
    data = b"".join(spreadsheets.xlsx_chunks(rows, **options))
    return load_workbook(io.BytesIO(data)).active


def test_a_streamed_xlsx_reads_back_cell_for_cell():
    when = datetime(2026, 3, 2, 14, 30, 5)
    rows = [
        ["name", "count", "at", "on", "flag", "gap", "last"],
        [FORMULA, 7, when, date(2026, 3, 2), True, None, "a & <b> 'c'"],
        ["Tiếng Việt\nhai dòng", -2.5, None, None, False, "", "bell\x07"],
    ]
    sheet = streamed_sheet(rows, sheet="issues: [all]")
    assert sheet.title == "issues   all "
    assert list(sheet.iter_rows(values_only=True)) == [
        ("name", "count", "at", "on", "flag", "gap", "last"),
        ("'" + FORMULA, 7, when, datetime(2026, 3, 2), True, None, "a & <b> 'c'"),
        ("Tiếng Việt\nhai dòng", -2.5, None, None, False, None, "bell\ufffd"),
    ]
    assert sheet["A2"].data_type == "s" and sheet["C2"].number_format == "yyyy-mm-dd hh:mm"


def test_a_streamed_xlsx_comes_in_pieces_and_cuts_what_a_cell_cannot_hold():
    rows = [["x" * 40_000]] + [[str(n)] for n in range(9)]
    chunks = list(spreadsheets.xlsx_chunks(rows, rows_per_chunk=4))
    assert len(chunks) >= 4  # the parts, rows 1-4, 5-8, the rest
    sheet = load_workbook(io.BytesIO(b"".join(chunks))).active
    assert len(sheet["A1"].value) == spreadsheets.MAX_CELL_TEXT
    assert sheet["A10"].value == "8"


def test_csv_chunks_hold_many_rows_each():
    chunks = list(spreadsheets.csv_chunks([["=a"], ["b"], ["c"]], rows_per_chunk=2))
    assert b"".join(chunks).decode() == spreadsheets.BOM + "'=a\r\nb\r\nc\r\n"
    assert len(chunks) == 2
