# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""XLSX cash-in forecast: the next 13 weeks, one row per week with a
column per source, and a sheet listing what makes each week."""

from collections import defaultdict
from datetime import timedelta

from odoo.tools import format_date
from odoo.tools.translate import LazyTranslate

from .ar_cash_forecast import FORECAST_SOURCES, FORECAST_WEEKS
from .xlsx_common import Column, XlsxBook

_lt = LazyTranslate(__name__)

WEEK_COLUMNS = [
    Column(_lt("Week"), 7, "integer"),
    Column(_lt("Week of"), 12, "date"),
    Column(_lt("Invoices"), 15, "money", True),
    Column(_lt("Promises to pay"), 15, "money", True),
    Column(_lt("Plan installments"), 15, "money", True),
    Column(_lt("Total"), 15, "money", True),
]
DETAIL_COLUMNS = [
    Column(_lt("Week of"), 12, "date"),
    Column(_lt("Expected on"), 12, "date"),
    Column(_lt("Customer"), 34),
    Column(_lt("Source"), 22),
    Column(_lt("Document"), 22),
    Column(_lt("Amount"), 15, "money", True),
]


def forecast_rows(env, company, as_of, detail=True):
    """``(week rows, detail rows)`` of the forecast of ``company`` from ``as_of``."""
    forecast = env["ar.cash.forecast"].with_company(company).with_context(ar_as_of=as_of)
    forecast.invalidate_model()  # rows do not depend on the day: drop another day's figures
    domain = [("company_id", "=", company.id)]
    sources = [key for key, _label in FORECAST_SOURCES]
    by_week = defaultdict(lambda: dict.fromkeys(sources, 0.0))
    for week, source, amount in forecast._read_group(domain, ["week", "source"], ["amount:sum"]):
        by_week[week][source] += amount
    first_monday = forecast._week_start(as_of)
    weeks = []
    for week in range(1, FORECAST_WEEKS + 1):
        amounts = [by_week[week][source] for source in sources]
        weeks.append([week, first_monday + timedelta(weeks=week - 1), *amounts, sum(amounts)])
    labels = dict(forecast._fields["source"]._description_selection(env))
    detail_rows = (
        [
            [
                row.week_start,
                row.date_expected,
                row.partner_id.name,
                labels[row.source],
                (row.move_id or row.promise_id or row.plan_id).display_name,
                row.amount,
            ]
            for row in forecast.search(domain, order="date_expected, partner_id, id")
        ]
        if detail
        else []
    )
    return weeks, detail_rows


def build_forecast_xlsx(env, company, as_of, detail=True):
    week_rows, detail_rows = forecast_rows(env, company, as_of, detail=detail)
    title = env._(
        "Cash-in forecast of %(company)s, %(weeks)s weeks from %(date)s",
        company=company.name,
        weeks=FORECAST_WEEKS,
        date=format_date(env, as_of),
    )
    return XlsxBook().write_report(
        env,
        title,
        (env._("Cash-in forecast"), WEEK_COLUMNS, week_rows),
        (env._("Expected receipts"), DETAIL_COLUMNS, detail_rows) if detail else None,
    )
