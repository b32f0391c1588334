# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""XLSX aged receivables: one row per customer with a column per aging
bucket and the total; optionally a sheet with every open item. The figures
are the aging report's (``ar.aging.report``) for the same day and company."""

from odoo.tools import format_date
from odoo.tools.translate import LazyTranslate

from ..models.account_move import AGING_BUCKETS
from .xlsx_common import Column, XlsxBook

_lt = LazyTranslate(__name__)

BUCKET_LABELS = {
    "not_due": _lt("Not due"),
    "1_30": _lt("1-30 days"),
    "31_60": _lt("31-60 days"),
    "61_90": _lt("61-90 days"),
    "91_120": _lt("91-120 days"),
    "120_plus": _lt("120+ days"),
}
SUMMARY_COLUMNS = [
    Column(_lt("Customer"), 34),
    Column(_lt("Reference"), 12),
    Column(_lt("Collector"), 20),
    *(Column(BUCKET_LABELS[key], 14, "money", True) for key, _label in AGING_BUCKETS),
    Column(_lt("Total"), 15, "money", True),
]
DETAIL_COLUMNS = [
    Column(_lt("Customer"), 34),
    Column(_lt("Document"), 20),
    Column(_lt("Accounting date"), 12, "date"),
    Column(_lt("Due date"), 12, "date"),
    Column(_lt("Days overdue"), 10, "integer"),
    Column(_lt("Aging"), 12),
    Column(_lt("Currency"), 9),
    Column(_lt("Open amount (currency)"), 16, "money"),
    Column(_lt("Open amount"), 15, "money", True),
]


def aging_rows(env, company, as_of, detail=True):
    """``(summary rows, detail rows)`` of the aging report of ``company`` on ``as_of``."""
    report = env["ar.aging.report"].with_company(company).with_context(ar_as_of=as_of)
    report.invalidate_model()  # rows are per line whatever the day: drop another day's figures
    domain = [("company_id", "=", company.id)]
    aggregates = [f"amount_{key}:sum" for key, _label in AGING_BUCKETS] + ["amount_residual:sum"]
    groups = report._read_group(domain, ["partner_id", "collector_id"], aggregates)
    summary = sorted(
        ([partner.name, partner.ref or "", collector.name or "", *amounts] for partner, collector, *amounts in groups),
        key=lambda row: (row[0] or "").lower(),
    )
    buckets = dict(report._fields["aging_bucket"]._description_selection(env))
    detail_rows = (
        [
            [
                row.partner_id.name,
                row.name or row.move_id.name,
                row.date,
                row.date_maturity,
                row.days_overdue,
                buckets.get(row.aging_bucket, ""),
                row.currency_id.name,
                row.amount_residual_currency,
                row.amount_residual,
            ]
            for row in report.search(domain, order="partner_id, date_maturity, id")
        ]
        if detail
        else []
    )
    return summary, detail_rows


def build_aging_xlsx(env, company, as_of, detail=True):
    summary_rows, detail_rows = aging_rows(env, company, as_of, detail=detail)
    return XlsxBook().write_report(
        env,
        env._("Aged receivables of %(company)s as of %(date)s", company=company.name, date=format_date(env, as_of)),
        (env._("Aged receivables"), SUMMARY_COLUMNS, summary_rows),
        (env._("Open items"), DETAIL_COLUMNS, detail_rows) if detail else None,
    )
