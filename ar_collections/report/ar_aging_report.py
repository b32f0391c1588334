# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.tools import SQL

from ..models.account_move import AGING_BUCKETS, BUCKET_BOUNDS


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
    # Query
    # ------------------------------------------------------------------
    @property
    def _table_query(self):
        return self._aging_query(self._as_of(), self.env.companies.ids)

    @api.model
    def _as_of(self):
        return fields.Date.to_date(self.env.context.get("ar_as_of")) or fields.Date.context_today(self)

    @api.model
    def _open_items_query(self, as_of, company_ids):
        """Receivable lines open at the end of ``as_of``, with what was open then.

        Columns: ``line_id, move_id, company_id, partner_id`` (the
        commercial entity), ``date, date_maturity, currency_id, residual``
        (company currency) and ``residual_currency``. A line counts if it
        was posted and dated ``as_of`` or before; a reconciliation counts if
        dated (``max_date``) ``as_of`` or before. Lines settled before
        ``as_of`` are skipped early: still open today, or reconciled later.
        """
        for model, fnames in (
            (
                "account.move.line",
                [
                    "balance",
                    "amount_currency",
                    "amount_residual",
                    "date",
                    "date_maturity",
                    "parent_state",
                    "account_id",
                    "partner_id",
                    "company_id",
                    "currency_id",
                    "move_id",
                ],
            ),
            ("account.partial.reconcile", ["amount", "debit_amount_currency", "credit_amount_currency", "max_date"]),
            ("res.partner", ["commercial_partner_id"]),
        ):
            self.env[model].flush_model(fnames)
        return SQL(
            """
            SELECT line.id AS line_id,
                   line.move_id,
                   line.company_id,
                   partner.commercial_partner_id AS partner_id,
                   line.date,
                   COALESCE(line.date_maturity, line.date) AS date_maturity,
                   line.currency_id,
                   line.balance - COALESCE(debit.amount, 0) + COALESCE(credit.amount, 0) AS residual,
                   line.amount_currency - COALESCE(debit.amount_currency, 0)
                       + COALESCE(credit.amount_currency, 0) AS residual_currency
              FROM account_move_line line
              JOIN account_account account ON account.id = line.account_id
              JOIN res_partner partner ON partner.id = line.partner_id
         LEFT JOIN LATERAL (
                    SELECT SUM(partial.amount) AS amount, SUM(partial.debit_amount_currency) AS amount_currency
                      FROM account_partial_reconcile partial
                     WHERE partial.debit_move_id = line.id AND partial.max_date <= %(as_of)s
                   ) debit ON TRUE
         LEFT JOIN LATERAL (
                    SELECT SUM(partial.amount) AS amount, SUM(partial.credit_amount_currency) AS amount_currency
                      FROM account_partial_reconcile partial
                     WHERE partial.credit_move_id = line.id AND partial.max_date <= %(as_of)s
                   ) credit ON TRUE
             WHERE account.account_type = 'asset_receivable'
               AND line.parent_state = 'posted'
               AND line.company_id = ANY(%(company_ids)s)
               AND line.date <= %(as_of)s
               AND (
                    line.amount_residual != 0
                    OR line.id IN (
                        SELECT later.debit_move_id FROM account_partial_reconcile later
                         WHERE later.max_date > %(as_of)s
                         UNION ALL
                        SELECT later.credit_move_id FROM account_partial_reconcile later
                         WHERE later.max_date > %(as_of)s)
               )
            """,
            as_of=as_of,
            company_ids=list(company_ids),
        )

    @api.model
    def _paid_invoices_query(self, company_ids):
        """SQL: the receivable lines (installments) of customer invoices paid in
        full, each with ``paid_on``, the date of the reconciliation that
        settled it (the latest). Exchange difference entries do not count as
        payments: they are dated at the end of a period, not when the
        customer paid. Columns: ``move_id, line_id, partner_id`` (commercial
        entity), ``company_id, amount`` (the line's, company currency),
        ``date_due`` (the line's) and ``paid_on``."""
        for model, fnames in (
            ("account.move", ["payment_state", "commercial_partner_id", "move_type", "state"]),
            ("account.move.line", ["balance", "date_maturity", "account_id", "move_id"]),
            ("account.partial.reconcile", ["max_date", "debit_move_id", "credit_move_id", "exchange_move_id"]),
        ):
            self.env[model].flush_model(fnames)
        return SQL(
            """
            SELECT move.id AS move_id,
                   line.id AS line_id,
                   move.commercial_partner_id AS partner_id,
                   move.company_id,
                   line.balance AS amount,
                   COALESCE(line.date_maturity, move.invoice_date_due) AS date_due,
                   MAX(partial.max_date) AS paid_on
              FROM account_move move
              JOIN account_move_line line ON line.move_id = move.id
              JOIN account_account account ON account.id = line.account_id
              JOIN account_partial_reconcile partial ON partial.debit_move_id = line.id
              JOIN account_move_line counterpart ON counterpart.id = partial.credit_move_id
             WHERE move.company_id = ANY(%(company_ids)s)
               AND move.move_type = 'out_invoice'
               AND move.state = 'posted'
               AND move.payment_state IN ('paid', 'in_payment')
               AND account.account_type = 'asset_receivable'
               AND NOT EXISTS (
                    SELECT 1 FROM account_partial_reconcile exchange
                     WHERE exchange.exchange_move_id = counterpart.move_id)
          GROUP BY move.id, line.id
            """,
            company_ids=list(company_ids),
        )

    @api.model
    def _covered_invoices_query(self, rel_table, record_column, record_id):
        """SQL: ``residual`` (invoice currency) and ``rate`` (company currency per
        unit of invoice currency, at the invoices' own rate) of the invoices a
        plan, promise or dispute covers, through its ``rel_table`` relation;
        for a LATERAL join on ``record_id`` (the record's id column)."""
        return SQL(
            """
            SELECT SUM(move.amount_residual) AS residual,
                   COALESCE(SUM(move.amount_total_signed) / NULLIF(SUM(move.amount_total), 0), 1) AS rate
              FROM %(rel)s rel
              JOIN account_move move ON move.id = rel.move_id
             WHERE %(record_column)s = %(record_id)s
            """,
            rel=SQL.identifier(rel_table),
            record_column=SQL.identifier("rel", record_column),
            record_id=record_id,
        )

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
    def _aging_query(self, as_of, company_ids):
        for model, fnames in (
            ("account.move", ["ar_followup_level_id", "name"]),
            ("res.partner", ["ar_collector_id", "ar_collection_stage_id"]),
        ):
            self.env[model].flush_model(fnames)
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
                   CASE WHEN item.date_maturity < %(as_of)s THEN item.residual ELSE 0 END AS amount_overdue,
                   %(bucket_amounts)s
              FROM (%(items)s) item
              JOIN account_move move ON move.id = item.move_id
              JOIN res_company company ON company.id = item.company_id
              JOIN res_partner customer ON customer.id = item.partner_id
             WHERE item.residual != 0
            """,
            days=days,
            bucket=bucket,
            bucket_amounts=bucket_amounts,
            as_of=as_of,
            items=self._open_items_query(as_of, company_ids),
        )
