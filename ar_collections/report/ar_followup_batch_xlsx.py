# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""XLSX export of a follow-up batch: one row per customer and invoice."""

from odoo.tools.translate import LazyTranslate

from .xlsx_common import Column, XlsxBook

_lt = LazyTranslate(__name__)


def _result(line, invoice):
    return dict(line._fields["state"]._description_selection(line.env))[line.state]


# (column, value getter(line, invoice))
COLUMNS = [
    (Column(_lt("Customer"), 32), lambda line, inv: line.partner_id.name),
    (Column(_lt("Level"), 18), lambda line, inv: line.level_id.name),
    (Column(_lt("Invoice"), 18), lambda line, inv: inv.name),
    (Column(_lt("Due date"), 12, "date"), lambda line, inv: inv.invoice_date_due),
    (Column(_lt("Days overdue"), 12, "integer"), lambda line, inv: inv.ar_days_overdue),
    (Column(_lt("Amount due"), 15, "money", True), lambda line, inv: inv.amount_residual_signed),
    (Column(_lt("Invoice currency"), 10), lambda line, inv: inv.currency_id.name),
    (Column(_lt("Amount due (invoice currency)"), 15, "money"), lambda line, inv: inv.amount_residual),
    (Column(_lt("Channels"), 22), lambda line, inv: line._channels_label()),
    (Column(_lt("Recipient"), 30), lambda line, inv: line.recipient_id.email or line.recipient_id.name or ""),
    (Column(_lt("Result"), 12), _result),
    (Column(_lt("Details"), 40), lambda line, inv: line.result or line.warning or ""),
]


def build_batch_xlsx(batch):
    """The batch as XLSX bytes: styled, frozen header, autofilter, totals."""
    book = XlsxBook()
    sheet = book.add_sheet(batch.name)
    rows = [
        [getter(line, invoice) for _column, getter in COLUMNS] for line in batch.line_ids for invoice in line.move_ids
    ]
    book.write_table(sheet, batch.env, [column for column, _getter in COLUMNS], rows)
    return book.close()
