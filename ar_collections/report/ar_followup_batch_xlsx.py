# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""XLSX export of a follow-up batch: one row per customer and invoice."""

import io

import xlsxwriter

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)


def _recipient(line, invoice):
    return line.recipient_id.email or line.recipient_id.name or ""


def _result(line, invoice):
    return dict(line._fields["state"]._description_selection(line.env))[line.state]


# (key, header, width, cell format, value getter(line, invoice))
COLUMNS = [
    ("customer", _lt("Customer"), 32, "text", lambda line, inv: line.partner_id.name),
    ("level", _lt("Level"), 18, "text", lambda line, inv: line.level_id.name),
    ("invoice", _lt("Invoice"), 18, "text", lambda line, inv: inv.name),
    ("due_date", _lt("Due date"), 12, "date", lambda line, inv: inv.invoice_date_due),
    ("days_overdue", _lt("Days overdue"), 12, "integer", lambda line, inv: inv.ar_days_overdue),
    ("amount_due", _lt("Amount due"), 15, "money", lambda line, inv: inv.amount_residual_signed),
    ("currency", _lt("Invoice currency"), 10, "text", lambda line, inv: inv.currency_id.name),
    ("amount_due_currency", _lt("Amount due (invoice currency)"), 15, "money", lambda line, inv: inv.amount_residual),
    ("channels", _lt("Channels"), 22, "text", lambda line, inv: line._channels_label()),
    (
        "recipient",
        _lt("Recipient"),
        30,
        "text",
        lambda line, inv: line.recipient_id.email or line.recipient_id.name or "",
    ),
    (
        "result",
        _lt("Result"),
        12,
        "text",
        lambda line, inv: dict(line._fields["state"]._description_selection(line.env))[line.state],
    ),
    ("details", _lt("Details"), 40, "text", lambda line, inv: line.result or line.warning or ""),
]
TOTALLED = {"amount_due"}


def build_batch_xlsx(batch):
    """The batch as XLSX bytes: styled, frozen header, autofilter, totals."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = workbook.add_worksheet(batch.name.replace("/", "-")[:31])
    money_format = "#,##0.00"
    formats = {
        "header": workbook.add_format({"bold": True, "bg_color": "#017E84", "font_color": "#FFFFFF", "border": 1}),
        "text": workbook.add_format({}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "integer": workbook.add_format({"num_format": "0"}),
        "money": workbook.add_format({"num_format": money_format}),
        "total_label": workbook.add_format({"bold": True, "top": 1}),
        "total": workbook.add_format({"bold": True, "top": 1, "num_format": money_format}),
    }
    for col, (_key, header, width, _fmt, _getter) in enumerate(COLUMNS):
        sheet.write(0, col, batch.env._(header), formats["header"])
        sheet.set_column(col, col, width)
    row = 0
    for line in batch.line_ids:
        for invoice in line.move_ids:
            row += 1
            for col, (_key, _header, _width, fmt, getter) in enumerate(COLUMNS):
                value = getter(line, invoice)
                if fmt == "date" and value:
                    sheet.write_datetime(row, col, value, formats[fmt])
                else:
                    sheet.write(row, col, value if value is not False else "", formats[fmt])
    total_row = row + 1
    sheet.write(total_row, 0, batch.env._("Total"), formats["total_label"])
    for col, (key, _header, _width, _fmt, getter) in enumerate(COLUMNS):
        if key in TOTALLED:
            letter = xlsxwriter.utility.xl_col_to_name(col)
            total = sum(getter(line, inv) for line in batch.line_ids for inv in line.move_ids)
            sheet.write_formula(total_row, col, f"=SUM({letter}2:{letter}{row + 1})", formats["total"], total)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(row, 1), len(COLUMNS) - 1)
    workbook.close()
    return output.getvalue()
