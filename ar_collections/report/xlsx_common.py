# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the XLSX exports share: one look (formats) and one way to write a
table (styled header, typed cells, totals by formula, frozen header,
autofilter). Each export keeps its own column spec and its data apart."""

import io
from collections import namedtuple

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

MONEY_FORMAT = "#,##0.00"

# header: label (str or lazy translation); width: characters; fmt: text,
# date, integer or money; total: whether the table ends with its sum
Column = namedtuple("Column", "header width fmt total", defaults=("text", False))


class XlsxBook:
    """An in-memory workbook with the exports' formats; ``close()`` returns its bytes."""

    def __init__(self):
        self._output = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(self._output, {"in_memory": True})
        add = self.workbook.add_format
        self.formats = {
            "title": add({"bold": True, "font_size": 13}),
            "header": add({"bold": True, "bg_color": "#017E84", "font_color": "#FFFFFF", "border": 1}),
            "text": add({}),
            "date": add({"num_format": "yyyy-mm-dd"}),
            "integer": add({"num_format": "0"}),
            "money": add({"num_format": MONEY_FORMAT}),
            "total_label": add({"bold": True, "top": 1}),
            "total": add({"bold": True, "top": 1, "num_format": MONEY_FORMAT}),
        }

    def add_sheet(self, name):
        # sheet names: at most 31 characters, no slash
        return self.workbook.add_worksheet(name.replace("/", "-")[:31])

    def write_table(self, sheet, env, columns, rows, first_row=0, total_label=None):
        """Write ``rows`` (lists of values in ``columns`` order) under a header
        at ``first_row``; a total row when a column is totalled. Returns the
        index of the last row written."""
        formats = self.formats
        for col, column in enumerate(columns):
            sheet.write(first_row, col, env._(column.header), formats["header"])
            sheet.set_column(col, col, column.width)
        row = first_row
        for values in rows:
            row += 1
            for col, (column, value) in enumerate(zip(columns, values, strict=True)):
                if column.fmt == "date" and value:
                    sheet.write_datetime(row, col, value, formats["date"])
                else:
                    sheet.write(row, col, "" if value is False or value is None else value, formats[column.fmt])
        last_data_row = row
        if any(column.total for column in columns):
            row += 1
            sheet.write(row, 0, total_label or env._("Total"), formats["total_label"])
            for col, column in enumerate(columns):
                if column.total:
                    letter = xl_col_to_name(col)
                    value = sum(values[col] or 0.0 for values in rows)
                    formula = f"=SUM({letter}{first_row + 2}:{letter}{last_data_row + 1})"
                    sheet.write_formula(row, col, formula, formats["total"], value)
        sheet.freeze_panes(first_row + 1, 0)
        sheet.autofilter(first_row, 0, max(last_data_row, first_row + 1), len(columns) - 1)
        return row

    def write_report(self, env, title, summary, detail=None):
        """A titled summary sheet and, optionally, a detail sheet; each of
        ``summary`` and ``detail`` is ``(sheet name, columns, rows)``.
        Returns the workbook's bytes."""
        name, columns, rows = summary
        sheet = self.add_sheet(name)
        sheet.write(0, 0, title, self.formats["title"])
        self.write_table(sheet, env, columns, rows, first_row=2)
        if detail:
            name, columns, rows = detail
            self.write_table(self.add_sheet(name), env, columns, rows)
        return self.close()

    def close(self):
        self.workbook.close()
        return self._output.getvalue()
