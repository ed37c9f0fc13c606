"""Writing user data into XLSX workbooks without formula injection.

A text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel or LibreOffice (openpyxl even stores a string starting with ``=`` as a live
formula cell): an applicant named ``=HYPERLINK("http://…", "Bấm vào đây")`` would become a link
in the register an officer opens. OWASP's mitigation for "CSV injection" is to make such a cell
text, classically by a leading apostrophe. In XLSX the apostrophe is not part of the value but
a cell property: this is how Excel itself stores ``'=1+1`` typed by a user, a string cell
(``t="inlineStr"``) whose style carries ``quotePrefix="1"``. So the value stays exactly what the
applicant wrote (a catalogue exported and imported back is unchanged), the spreadsheet shows it
literally, and editing the cell does not turn it into a formula.
"""

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(ws: Worksheet, value: Any) -> Any:
    """``value`` as is, or, for a string that could be read as a formula, a literal text cell."""
    if not (isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)):
        return value
    cell = WriteOnlyCell(ws, value=value)  # openpyxl makes "=…" a formula cell: text below
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def append_row(ws: Worksheet, values: Iterable[Any]) -> None:
    """``ws.append(values)``, every string that could be read as a formula written as text."""
    ws.append([text_cell(ws, value) for value in values])
