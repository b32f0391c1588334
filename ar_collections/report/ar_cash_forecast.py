# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..models.ar_collection_rules import INVOICE_TYPES
from ..models.common import flush_fields

FORECAST_WEEKS = 13
FORECAST_SOURCES = [
    ("invoice", "Invoice (expected date)"),
    ("promise", "Promise to pay"),
    ("installment", "Plan installment"),
]


class ArCashForecast(models.Model):
    """Cash expected from customers over the next 13 weeks, by week.

    Three sources, each counted once:

    - the open amount of each open customer invoice installment, on its
      expected payment date (due date plus the customer's average days
      late, today at the earliest), unless the invoice is on an active
      payment plan; under an open promise to pay or in an open dispute,
      only the part neither promised nor disputed;
    - what is left of each open promise to pay, on the promised date;
    - what is left of each installment of an active payment plan, on its
      due date.

    Dates already passed count as today: the money is expected now.
    Amounts are in company currency (promises and plans in another currency
    at the rate of their invoices). The day the forecast starts is
    ``ar_as_of`` in the context, today by default.
    """

    _name = "ar.cash.forecast"
    _description = "Cash-in Forecast"
    _auto = False
    _order = "date_expected, id"

    source = fields.Selection(FORECAST_SOURCES, readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    promise_id = fields.Many2one("ar.payment.promise", string="Promise to pay", readonly=True)
    plan_id = fields.Many2one("ar.payment.plan", string="Payment plan", readonly=True)
    installment_id = fields.Many2one("ar.payment.plan.installment", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    company_currency_id = fields.Many2one("res.currency", string="Company currency", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)
    date_expected = fields.Date(string="Expected on", readonly=True)
    week = fields.Integer(readonly=True, aggregator="min", help="1 is the current week.")
    week_start = fields.Date(string="Week of", readonly=True)
    amount = fields.Monetary(string="Expected amount", currency_field="company_currency_id", readonly=True)

    # ------------------------------------------------------------------
    # Query
    # ------------------------------------------------------------------
    @property
    def _table_query(self):
        return self._forecast_query(self.env["ar.aging.report"]._as_of(), self.env.companies.ids)

    @api.model
    def _week_start(self, day):
        return day - timedelta(days=day.weekday())

    @api.model
    def _expected_lines_query(self, as_of, company_ids, move_ids=None):
        """SQL: open customer invoice installments that are expected to be paid
        on their own terms, with ``date_expected``: the due date plus the
        customer's average days paid late (rounded), ``as_of`` at the
        earliest. Columns: ``line_id, move_id, company_id, partner_id,
        residual, date_expected``."""
        flush_fields(
            self.env,
            ("ar.partner.score", ["avg_days_late"]),
            ("ar.payment.plan", ["state", "move_ids"]),
            ("ar.payment.promise", ["state", "move_ids", "amount", "amount_initial"]),
            ("ar.dispute", ["state", "move_ids", "amount"]),
            ("account.move", ["amount_residual", "amount_total", "amount_total_signed"]),
        )
        move_filter = SQL("AND item.move_id = ANY(%s)", list(move_ids)) if move_ids is not None else SQL()
        Rules = self.env["ar.collection.rules"]
        # an open promise or dispute takes its share of its invoices' balance (the promised
        # amount still to come, the disputed amount): the rest is expected on the invoice's terms
        return SQL(
            """
            SELECT * FROM (
            SELECT item.line_id, item.move_id, item.company_id, item.partner_id,
                   item.residual * GREATEST(1 - COALESCE(promised.share, 0) - COALESCE(disputed.share, 0), 0)
                       AS residual,
                   GREATEST(item.date_maturity + ROUND(COALESCE(score.avg_days_late, 0))::integer, %(as_of)s)
                       AS date_expected
              FROM (%(items)s) item
              JOIN account_move move ON move.id = item.move_id AND %(invoice)s
         LEFT JOIN ar_partner_score score
                ON score.partner_id = item.partner_id AND score.company_id = item.company_id
         LEFT JOIN LATERAL (
                    SELECT SUM(GREATEST(promise.amount - GREATEST(promise.amount_initial - covered.residual, 0), 0)
                               / NULLIF(covered.residual, 0)) AS share
                      FROM ar_payment_promise_account_move_rel rel
                      JOIN ar_payment_promise promise ON promise.id = rel.promise_id AND %(promise_open)s
                      JOIN LATERAL (%(promise_covered)s) covered ON TRUE
                     WHERE rel.move_id = item.move_id
                   ) promised ON TRUE
         LEFT JOIN LATERAL (
                    SELECT SUM(dispute.amount / NULLIF(covered.residual, 0)) AS share
                      FROM ar_dispute_account_move_rel rel
                      JOIN ar_dispute dispute
                        ON dispute.id = rel.dispute_id AND %(dispute_open)s
                      JOIN LATERAL (%(dispute_covered)s) covered ON TRUE
                     WHERE rel.move_id = item.move_id
                   ) disputed ON TRUE
             WHERE item.residual > 0
               %(move_filter)s
               AND NOT %(on_plan)s
            ) line WHERE line.residual > 0
            """,
            as_of=as_of,
            items=Rules._items_query(company_ids, as_of=as_of),
            move_filter=move_filter,
            promise_open=Rules._case_state_sql("ar.payment.promise", "pausing", "promise"),
            dispute_open=Rules._case_state_sql("ar.dispute", "pausing", "dispute"),
            on_plan=Rules._paused_sql(SQL("item.move_id"), models=("ar.payment.plan",)),
            invoice=Rules._invoice_type_sql("move"),
            promise_covered=Rules._covered_invoices_query("ar.payment.promise", SQL.identifier("promise", "id")),
            dispute_covered=Rules._covered_invoices_query("ar.dispute", SQL.identifier("dispute", "id")),
        )

    @api.model
    def _forecast_query(self, as_of, company_ids):
        flush_fields(
            self.env,
            ("ar.payment.promise", ["amount", "amount_initial", "promised_date", "partner_id", "company_id"]),
            ("ar.payment.plan.installment", ["amount", "amount_paid", "date_due", "plan_id"]),
            ("account.move", ["amount_residual", "amount_total", "amount_total_signed"]),
        )
        first_monday = self._week_start(as_of)
        Rules = self.env["ar.collection.rules"]
        return SQL(
            """
            WITH expected AS (
                SELECT line_id * 3 AS id, 'invoice' AS source, move_id, NULL::integer AS promise_id,
                       NULL::integer AS plan_id, NULL::integer AS installment_id, partner_id, company_id,
                       date_expected, residual AS amount
                  FROM (%(lines)s) line
                 UNION ALL
                SELECT promise.id * 3 + 1, 'promise', NULL, promise.id, NULL, NULL, promise.partner_id,
                       promise.company_id, GREATEST(promise.promised_date, %(as_of)s),
                       GREATEST(promise.amount - GREATEST(promise.amount_initial - covered.residual, 0), 0)
                           * covered.rate
                  FROM ar_payment_promise promise
                  JOIN LATERAL (%(promise_rate)s) covered ON TRUE
                 WHERE %(promise_open)s AND promise.company_id = ANY(%(company_ids)s)
                 UNION ALL
                SELECT installment.id * 3 + 2, 'installment', NULL, NULL, plan.id, installment.id, plan.partner_id,
                       plan.company_id, GREATEST(installment.date_due, %(as_of)s),
                       (installment.amount - installment.amount_paid) * covered.rate
                  FROM ar_payment_plan_installment installment
                  JOIN ar_payment_plan plan ON plan.id = installment.plan_id
                  JOIN LATERAL (%(plan_rate)s) covered ON TRUE
                 WHERE %(plan_active)s AND installment.amount > installment.amount_paid
                   AND plan.company_id = ANY(%(company_ids)s)
            )
            SELECT expected.id, expected.source, expected.move_id, expected.promise_id, expected.plan_id,
                   expected.installment_id, expected.partner_id, expected.company_id,
                   company.currency_id AS company_currency_id,
                   (customer.ar_collector_id ->> expected.company_id::text)::integer AS collector_id,
                   expected.date_expected,
                   (expected.date_expected - %(first_monday)s) / 7 + 1 AS week,
                   %(first_monday)s + ((expected.date_expected - %(first_monday)s) / 7) * 7 AS week_start,
                   ROUND(expected.amount, currency.decimal_places) AS amount
              FROM expected
              JOIN res_company company ON company.id = expected.company_id
              JOIN res_currency currency ON currency.id = company.currency_id
              JOIN res_partner customer ON customer.id = expected.partner_id
             WHERE expected.date_expected < %(end)s AND expected.amount > 0
            """,
            lines=self._expected_lines_query(as_of, company_ids),
            as_of=as_of,
            company_ids=list(company_ids),
            promise_open=Rules._case_state_sql("ar.payment.promise", "pausing", "promise"),
            plan_active=Rules._case_state_sql("ar.payment.plan", "pausing", "plan"),
            promise_rate=Rules._covered_invoices_query("ar.payment.promise", SQL.identifier("promise", "id")),
            plan_rate=Rules._covered_invoices_query("ar.payment.plan", SQL.identifier("plan", "id")),
            first_monday=first_monday,
            end=first_monday + timedelta(weeks=FORECAST_WEEKS),
        )

    @api.model
    def _get_expected_dates(self, moves):
        """``{move id: expected payment date}`` for open customer invoices
        (see the class): the promised date under an open promise, the last
        open installment of an active plan, nothing while disputed in full, else
        the earliest expected date of its open installments."""
        as_of = fields.Date.context_today(self)
        moves = moves.filtered(lambda m: m.id and m.move_type in INVOICE_TYPES and m.state == "posted")
        if not moves:
            return {}
        self.env.cr.execute(
            SQL(
                "SELECT move_id, MIN(date_expected) FROM (%s) line GROUP BY move_id",
                self._expected_lines_query(as_of, moves.company_id.ids, moves.ids),
            )
        )
        expected = dict(self.env.cr.fetchall())
        Promise, Plan = self.env["ar.payment.promise"].sudo(), self.env["ar.payment.plan"].sudo()
        # sudo (both): the promise or plan of an invoice sets its date, whoever looks
        for plan in Plan.search([("move_ids", "in", moves.ids)] + Plan._ar_pausing_domain()):
            open_dates = plan.installment_ids.filtered(lambda i: i.state != "paid").mapped("date_due")
            for move_id in plan.move_ids.ids:
                expected[move_id] = max(max(open_dates), as_of) if open_dates else as_of
        for promise in Promise.search([("move_ids", "in", moves.ids)] + Promise._ar_pausing_domain()):
            for move_id in promise.move_ids.ids:
                expected[move_id] = max(promise.promised_date, as_of)
        return expected
