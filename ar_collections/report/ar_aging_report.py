# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.tools import SQL

from ..models.account_move import AGING_BUCKETS, BUCKET_BOUNDS
from ..models.common import flush_fields


class ArAgingReport(models.Model):
    """Open receivables as of a date, one row per open receivable line.

    A customer invoice with one due date is one row; an invoice with
    installment payment terms has one row per open installment, each aged on
    its own due date (as an aged balance does). Unapplied credit notes and
    payments are rows too, with negative amounts, so that a customer's total
    here is its receivable balance in the ledger.

    The amount of a row is what was still open at the end of the "as of"
    day: the line's balance less the reconciliations dated that day or
    before. The day is ``ar_as_of`` in the context, today by default.
    """

    _name = "ar.aging.report"
    _description = "Receivables Aging"
    _auto = False
    _order = "date_maturity, id"

    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    move_type = fields.Selection(related="move_id.move_type", string="Type")
    name = fields.Char(string="Reference", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    company_currency_id = fields.Many2one("res.currency", string="Company currency", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Invoice currency", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)
    stage_id = fields.Many2one("ar.collection.stage", string="Collection stage", readonly=True)
    level_id = fields.Many2one("ar.followup.level", string="Follow-up level", readonly=True)
    date = fields.Date(string="Accounting date", readonly=True)
    date_maturity = fields.Date(string="Due date", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    aging_bucket = fields.Selection(AGING_BUCKETS, string="Aging", readonly=True)
    amount_residual = fields.Monetary(string="Open amount", currency_field="company_currency_id", readonly=True)
    amount_residual_currency = fields.Monetary(
        string="Open amount (invoice currency)", currency_field="currency_id", readonly=True, aggregator=None
    )
    amount_overdue = fields.Monetary(string="Overdue", currency_field="company_currency_id", readonly=True)
    amount_not_due = fields.Monetary(string="Not due", currency_field="company_currency_id", readonly=True)
    amount_1_30 = fields.Monetary(string="1-30", currency_field="company_currency_id", readonly=True)
    amount_31_60 = fields.Monetary(string="31-60", currency_field="company_currency_id", readonly=True)
    amount_61_90 = fields.Monetary(string="61-90", currency_field="company_currency_id", readonly=True)
    amount_91_120 = fields.Monetary(string="91-120", currency_field="company_currency_id", readonly=True)
    amount_120_plus = fields.Monetary(string="120+", currency_field="company_currency_id", readonly=True)

    # ------------------------------------------------------------------
    # Query: the open items of ``ar.collection.rules``, aged; split as Odoo's
    # account_invoice_report is, so that another module can extend a part
    # ------------------------------------------------------------------
    @property
    def _table_query(self):
        return SQL("%s %s %s", self._select(), self._from(), self._where())

    @api.model
    def _as_of(self):
        return fields.Date.to_date(self.env.context.get("ar_as_of")) or fields.Date.context_today(self)

    @api.model
    def _bucket_case(self, days):
        """SQL: the aging bucket of an item ``days`` (an SQL expression) overdue."""
        whens = []
        for bucket, (low, high) in BUCKET_BOUNDS.items():
            conditions = []
            if low is not None:
                conditions.append(SQL("%s >= %s", days, low))
            if high is not None:
                conditions.append(SQL("%s <= %s", days, high))
            whens.append(SQL("WHEN %s THEN %s", SQL(" AND ").join(conditions), bucket))
        return SQL("CASE %s END", SQL(" ").join(whens))

    @api.model
    def _select(self):
        flush_fields(
            self.env,
            ("account.move", ["ar_followup_level_id", "name"]),
            ("res.partner", ["ar_collector_id", "ar_collection_stage_id"]),
        )
        as_of = self._as_of()
        days = SQL("GREATEST(%s - item.date_maturity, 0)", as_of)
        bucket = self._bucket_case(days)
        bucket_amounts = SQL(", ").join(
            SQL(
                "CASE WHEN %s = %s THEN item.residual ELSE 0 END AS %s",
                bucket,
                key,
                SQL.identifier(f"amount_{key}"),
            )
            for key, _label in AGING_BUCKETS
        )
        return SQL(
            """
            SELECT item.line_id AS id,
                   item.move_id,
                   move.name,
                   item.partner_id,
                   item.company_id,
                   company.currency_id AS company_currency_id,
                   item.currency_id,
                   (customer.ar_collector_id ->> item.company_id::text)::integer AS collector_id,
                   (customer.ar_collection_stage_id ->> item.company_id::text)::integer AS stage_id,
                   move.ar_followup_level_id AS level_id,
                   item.date,
                   item.date_maturity,
                   %(days)s AS days_overdue,
                   %(bucket)s AS aging_bucket,
                   item.residual AS amount_residual,
                   item.residual_currency AS amount_residual_currency,
                   CASE WHEN %(overdue)s THEN item.residual ELSE 0 END AS amount_overdue,
                   %(bucket_amounts)s
            """,
            days=days,
            bucket=bucket,
            bucket_amounts=bucket_amounts,
            overdue=self.env["ar.collection.rules"]._overdue_sql("item", as_of),
        )

    @api.model
    def _from(self):
        return SQL(
            """
              FROM (%s) item
              JOIN account_move move ON move.id = item.move_id
              JOIN res_company company ON company.id = item.company_id
              JOIN res_partner customer ON customer.id = item.partner_id
            """,
            self.env["ar.collection.rules"]._items_query(self.env.companies.ids, as_of=self._as_of()),
        )

    @api.model
    def _where(self):
        return SQL("WHERE item.residual != 0")

    # ------------------------------------------------------------------
    # Summaries
    # ------------------------------------------------------------------
    @api.model
    def _bucket_summaries(self, partners, company):
        """``{partner: [{key, label, amount}]}``: what each customer owes in ``company`` by aging
        bucket, in company currency, oldest last; one query for any number of customers."""
        labels = dict(self._fields["aging_bucket"]._description_selection(self.env))
        groups = {
            partner: amounts
            for partner, *amounts in self.with_company(company)._read_group(
                [("partner_id", "in", partners.ids), ("company_id", "=", company.id)],
                ["partner_id"],
                [f"amount_{key}:sum" for key, _label in AGING_BUCKETS],
            )
        }
        return {
            partner: [
                {"key": key, "label": labels[key], "amount": amount}
                for (key, _label), amount in zip(
                    AGING_BUCKETS, groups.get(partner, [0.0] * len(AGING_BUCKETS)), strict=True
                )
            ]
            for partner in partners
        }
