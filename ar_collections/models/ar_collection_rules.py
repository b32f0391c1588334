# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json

from odoo import api, models
from odoo.tools import SQL

from .common import flush_fields

RECEIVABLE = "asset_receivable"
INVOICE_TYPES = ("out_invoice",)
CREDIT_NOTE_TYPES = ("out_refund",)
OPEN_PAYMENT_STATES = ("not_paid", "partial")
PAID_PAYMENT_STATES = ("paid", "in_payment")
# the terms of ``_open_invoice_domain`` for a field's domain in the web client
OPEN_INVOICE_TERMS = (
    f"('move_type', 'in', {list(INVOICE_TYPES)!r}), ('state', '=', 'posted'), "
    f"('payment_state', 'in', {list(OPEN_PAYMENT_STATES)!r})"
)
# the records that hold invoices: each declares its states in ``_ar_state_groups``
CASE_MODELS = ("ar.payment.plan", "ar.dispute", "ar.payment.promise")


class ArCollectionRules(models.AbstractModel):
    """The collection rules, written once: what every figure, report, job and screen of the
    addon means by an open receivable item, its due date, overdue, paid in full, paused,
    excluded and net of credits.

    Each rule is given as an ``odoo.tools.SQL`` fragment for the queries and, where the ORM
    needs it, as a domain built from the same constants; the states come from each case
    model's own ``_ar_state_groups``. Customer figures, aging, KPIs, risk score, forecast,
    worklist, batch preview and the level rule use these; change a rule here and all follow.
    """

    _name = "ar.collection.rules"
    _description = "Collection Rules"

    # ------------------------------------------------------------------
    # Open receivable items
    # ------------------------------------------------------------------
    @api.model
    def _maturity_sql(self, line):
        """SQL: the due date of receivable line ``line`` (an alias); a line without one is due
        on its accounting date."""
        return SQL("COALESCE(%s, %s)", SQL.identifier(line, "date_maturity"), SQL.identifier(line, "date"))

    @api.model
    def _receivable_account_sql(self, account):
        return SQL("%s = %s", SQL.identifier(account, "account_type"), RECEIVABLE)

    @api.model
    def _posted_receivable_sql(self, line, account):
        """SQL: ``line`` (an alias; ``account`` its account's) is a posted receivable line."""
        return SQL(
            "(%s AND %s = 'posted')", self._receivable_account_sql(account), SQL.identifier(line, "parent_state")
        )

    @api.model
    def _items_query(self, company_ids, as_of=None, partner_ids=None, exclude_move_ids=None):
        """SQL: the open receivable items of ``company_ids``, one row per receivable line (an
        invoice with installments has one per installment; unapplied credit notes and payments
        are rows with negative amounts).

        Columns: ``line_id, move_id, company_id, partner_id`` (the commercial entity), ``date``,
        ``date_maturity`` (see ``_maturity_sql``), ``currency_id``, ``residual`` (company
        currency) and ``residual_currency``.

        Without ``as_of``, what is open now (the lines' residual). With it, what was open at
        the end of that day: posted lines dated then or before, less the reconciliations dated
        (``max_date``) then or before.
        """
        self._flush_items()
        filters = [SQL("line.company_id = ANY(%s)", list(company_ids))]
        if partner_ids is not None:
            filters.append(SQL("partner.commercial_partner_id = ANY(%s)", list(partner_ids)))
        if exclude_move_ids:
            filters.append(SQL("line.move_id != ALL(%s)", list(exclude_move_ids)))
        where = SQL(" AND ").join(filters)
        if as_of is None:
            return SQL(
                """
                SELECT line.id AS line_id, line.move_id, line.company_id,
                       partner.commercial_partner_id AS partner_id, line.date,
                       %(maturity)s AS date_maturity, line.currency_id,
                       line.amount_residual AS residual, line.amount_residual_currency AS residual_currency
                  FROM account_move_line line
                  JOIN account_account account ON account.id = line.account_id
                  JOIN res_partner partner ON partner.id = line.partner_id
                 WHERE %(receivable)s
                   AND line.amount_residual != 0
                   AND %(where)s
                """,
                maturity=self._maturity_sql("line"),
                receivable=self._posted_receivable_sql("line", "account"),
                where=where,
            )
        return SQL(
            """
            SELECT line.id AS line_id, line.move_id, line.company_id,
                   partner.commercial_partner_id AS partner_id, line.date,
                   %(maturity)s AS date_maturity, line.currency_id,
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
             WHERE %(receivable)s
               AND %(where)s
               AND line.date <= %(as_of)s
               AND (
                    -- lines settled before as_of are skipped early: still open, or reconciled later
                    line.amount_residual != 0
                    OR line.id IN (
                        SELECT later.debit_move_id FROM account_partial_reconcile later
                         WHERE later.max_date > %(as_of)s
                         UNION ALL
                        SELECT later.credit_move_id FROM account_partial_reconcile later
                         WHERE later.max_date > %(as_of)s)
               )
            """,
            maturity=self._maturity_sql("line"),
            receivable=self._posted_receivable_sql("line", "account"),
            where=where,
            as_of=as_of,
        )

    @api.model
    def _flush_items(self):
        flush_fields(
            self.env,
            (
                "account.move.line",
                [
                    "balance",
                    "amount_currency",
                    "amount_residual",
                    "amount_residual_currency",
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
        )

    @api.model
    def _overdue_sql(self, item, day):
        """SQL: item ``item`` (a row of ``_items_query``) is overdue on ``day``."""
        return SQL("%s < %s", SQL.identifier(item, "date_maturity"), day)

    @api.model
    def _overdue_net_sql(self, item, day):
        """SQL: item ``item`` counts in a customer's overdue amount *net of credits* on ``day``:
        overdue, or an open credit (unapplied credit note or payment), which lowers it. The sum
        is floored at zero per customer by whoever adds it up."""
        return SQL("(%s < 0 OR %s)", SQL.identifier(item, "residual"), self._overdue_sql(item, day))

    # ------------------------------------------------------------------
    # Invoices followed up
    # ------------------------------------------------------------------
    @api.model
    def _open_invoice_domain(self, company=None, move_types=INVOICE_TYPES):
        """Posted customer documents of ``company`` (the current one by default; or several
        companies) still owing money."""
        return [
            ("company_id", "in", (company or self.env.company).ids),
            ("move_type", "in", list(move_types)),
            ("state", "=", "posted"),
            ("payment_state", "in", OPEN_PAYMENT_STATES),
        ]

    @api.model
    def _invoice_type_sql(self, move, credit_notes=False):
        """SQL: ``move`` (an alias) is a customer invoice (or a customer credit note too)."""
        types = INVOICE_TYPES + CREDIT_NOTE_TYPES if credit_notes else INVOICE_TYPES
        return SQL("%s IN %s", SQL.identifier(move, "move_type"), types)

    @api.model
    def _open_invoice_sql(self, move):
        """SQL: the customer invoice ``move`` (an alias) is one follow-ups chase: posted, still
        owing money, with a due date (the SQL side of ``_is_open_invoice``)."""
        return SQL(
            "(%(invoice)s AND %(state)s = 'posted' AND %(payment)s IN %(open)s "
            "AND %(due)s IS NOT NULL AND %(residual)s > 0)",
            invoice=self._invoice_type_sql(move),
            state=SQL.identifier(move, "state"),
            payment=SQL.identifier(move, "payment_state"),
            open=OPEN_PAYMENT_STATES,
            due=SQL.identifier(move, "invoice_date_due"),
            residual=SQL.identifier(move, "amount_residual"),
        )

    @api.model
    def _open_maturity_sql(self, move):
        """SQL: the due date of the earliest unpaid installment of invoice ``move`` (an alias),
        else its due date (the SQL side of ``_open_maturities``)."""
        return SQL(
            """COALESCE((
                SELECT MIN(line.date_maturity)
                  FROM account_move_line line
                  JOIN account_account account ON account.id = line.account_id
                 WHERE line.move_id = %(move_id)s AND %(receivable)s AND line.amount_residual > 0
            ), %(due)s)""",
            move_id=SQL.identifier(move, "id"),
            receivable=self._receivable_account_sql("account"),
            due=SQL.identifier(move, "invoice_date_due"),
        )

    @api.model
    def _customer_excluded_sql(self, customer, company_id):
        """SQL: the customer ``customer`` (an alias of res_partner) is excluded from follow-ups
        in the company of id ``company_id`` (an SQL expression): its company-dependent flag
        there, else the company's default (``ir.default``), as the ORM reads it."""
        self.env["res.partner"].flush_model(["ar_excluded"])
        field = self.env["ir.model.fields"]._get("res.partner", "ar_excluded")
        # sudo: the defaults are read as the ORM reads them, whoever asks
        defaults = (
            self.env["ir.default"]
            .sudo()
            .search([("field_id", "=", field.id), ("user_id", "=", False), ("condition", "=", False)])
        )
        by_company = {d.company_id.id: bool(json.loads(d.json_value)) for d in defaults if d.company_id}
        everywhere = any(json.loads(d.json_value) for d in defaults if not d.company_id)
        return SQL(
            """COALESCE((%(flag)s ->> %(company)s::text)::boolean,
                        CASE WHEN %(company)s = ANY(%(on)s) THEN TRUE
                             WHEN %(company)s = ANY(%(off)s) THEN FALSE
                             ELSE %(everywhere)s END)""",
            flag=SQL.identifier(customer, "ar_excluded"),
            company=company_id,
            on=[cid for cid, value in by_company.items() if value],
            off=[cid for cid, value in by_company.items() if not value],
            everywhere=everywhere,
        )

    @api.model
    def _is_open_invoice(self, move):
        """Whether ``move`` is an invoice follow-ups chase (the Python side of the two above)."""
        return (
            move.move_type in INVOICE_TYPES
            and move.state == "posted"
            and move.payment_state in OPEN_PAYMENT_STATES
            and bool(move.invoice_date_due)
            and move.currency_id.compare_amounts(move.amount_residual, 0.0) > 0
        )

    @api.model
    def _unpaid_installment_domain(self):
        """Domain on ``account.move.line``: an installment of an invoice still unpaid."""
        return [("account_id.account_type", "=", RECEIVABLE), ("amount_residual", ">", 0)]

    @api.model
    def _maturity_domain(self, operator, day):
        """Domain on ``account.move``: compare the due date of its earliest unpaid installment
        with ``day`` (as ``_open_maturities`` gives it, so that searches and screens agree): the
        earliest is before ``day`` when any unpaid installment is."""
        unpaid = self._unpaid_installment_domain()

        def any_unpaid(op):
            return [("line_ids", "any", unpaid + [("date_maturity", op, day)])]

        def no_unpaid(op):
            return [("line_ids", "not any", unpaid + [("date_maturity", op, day)])]

        domains = {
            "<": any_unpaid("<"),
            "<=": any_unpaid("<="),
            ">": no_unpaid("<="),
            ">=": no_unpaid("<"),
            "=": ["&"] + any_unpaid("<=") + no_unpaid("<"),
            "!=": ["|"] + any_unpaid("<") + no_unpaid("<="),
        }
        return domains[operator]

    @api.model
    def _open_maturities(self, moves):
        """``{move id: due date of its earliest unpaid installment}``, in one query.

        With installment payment terms ``invoice_date_due`` is the last installment's date;
        collections chase the first one left unpaid. Moves without open receivable lines fall
        back on ``invoice_date_due``."""
        maturities = {move.id: move.invoice_date_due for move in moves}
        ids = [move_id for move_id in moves.ids if move_id]
        if ids:
            for move, maturity in self.env["account.move.line"]._read_group(
                [("move_id", "in", ids), ("date_maturity", "!=", False)] + self._unpaid_installment_domain(),
                ["move_id"],
                ["date_maturity:min"],
            ):
                maturities[move.id] = maturity
        return maturities

    # ------------------------------------------------------------------
    # Paid in full
    # ------------------------------------------------------------------
    @api.model
    def _not_exchange_difference_sql(self, counterpart):
        """SQL: the counterpart line ``counterpart`` of a reconciliation is a real settlement
        (payment, credit note...), not an exchange difference entry (dated at the end of a
        period, not when the customer paid)."""
        return SQL(
            """NOT EXISTS (
                SELECT 1 FROM account_partial_reconcile exchange
                 WHERE exchange.exchange_move_id = %s)""",
            SQL.identifier(counterpart, "move_id"),
        )

    @api.model
    def _paid_invoices_query(self, company_ids):
        """SQL: the receivable lines (installments) of customer invoices paid in full, each with
        ``paid_on``, the date of the reconciliation that settled it (the latest), exchange
        differences left aside. Columns: ``move_id, line_id, partner_id`` (commercial entity),
        ``company_id, amount`` (the line's, company currency), ``date_due`` (the line's) and
        ``paid_on``."""
        flush_fields(
            self.env,
            ("account.move", ["payment_state", "commercial_partner_id", "move_type", "state"]),
            ("account.move.line", ["balance", "date_maturity", "account_id", "move_id"]),
            ("account.partial.reconcile", ["max_date", "debit_move_id", "credit_move_id", "exchange_move_id"]),
        )
        return SQL(
            """
            SELECT move.id AS move_id,
                   line.id AS line_id,
                   move.commercial_partner_id AS partner_id,
                   move.company_id,
                   line.balance AS amount,
                   %(maturity)s AS date_due,
                   MAX(partial.max_date) AS paid_on
              FROM account_move move
              JOIN account_move_line line ON line.move_id = move.id
              JOIN account_account account ON account.id = line.account_id
              JOIN account_partial_reconcile partial ON partial.debit_move_id = line.id
              JOIN account_move_line counterpart ON counterpart.id = partial.credit_move_id
             WHERE move.company_id = ANY(%(company_ids)s)
               AND move.move_type IN %(types)s
               AND move.state = 'posted'
               AND move.payment_state IN %(paid)s
               AND %(receivable)s
               AND %(settled)s
          GROUP BY move.id, line.id
            """,
            company_ids=list(company_ids),
            types=INVOICE_TYPES,
            paid=PAID_PAYMENT_STATES,
            receivable=self._receivable_account_sql("account"),
            settled=self._not_exchange_difference_sql("counterpart"),
            maturity=self._maturity_sql("line"),
        )

    # ------------------------------------------------------------------
    # Paused and excluded
    # ------------------------------------------------------------------
    @api.model
    def _case_states(self, model, group):
        """The states of case ``model`` in ``group`` (its ``_ar_state_groups``)."""
        return tuple(self.env[model]._ar_state_groups[group])

    @api.model
    def _case_state_domain(self, model, group):
        return [("state", "in", self._case_states(model, group))]

    @api.model
    def _case_state_sql(self, model, group, alias):
        """SQL: the record ``alias`` of case ``model`` is in a state of ``group``."""
        return SQL("%s IN %s", SQL.identifier(alias, "state"), self._case_states(model, group))

    @api.model
    def _case_relation(self, model):
        """``(table, record column)`` of the invoices relation of case ``model``."""
        field = self.env[model]._fields["move_ids"]
        return field.relation, field.column1

    @api.model
    def _paused_moves_query(self, models=CASE_MODELS):
        """SQL: ``move_id`` of the invoices paused by an active plan, an open dispute or an open
        promise (each in a pausing state of its own ``_ar_state_groups``)."""
        for model in models:
            self.env[model].flush_model(["state", "move_ids"])
        selects = []
        for model in models:
            table, column = self._case_relation(model)
            selects.append(
                SQL(
                    """SELECT rel.move_id FROM %(rel)s rel
                         JOIN %(case)s record ON record.id = %(column)s WHERE %(state)s""",
                    rel=SQL.identifier(table),
                    case=SQL.identifier(self.env[model]._table),
                    column=SQL.identifier("rel", column),
                    state=self._case_state_sql(model, "pausing", "record"),
                )
            )
        return SQL(" UNION ALL ").join(selects)

    @api.model
    def _paused_sql(self, move_id, models=CASE_MODELS):
        """SQL: the invoice of id ``move_id`` (an SQL expression) is paused."""
        return SQL("%s IN (%s)", move_id, self._paused_moves_query(models))

    @api.model
    def _excluded_sql(self, move):
        """SQL: the invoice ``move`` (an alias) is excluded from follow-ups by hand."""
        self.env["account.move"].flush_model(["ar_excluded"])
        return SQL("COALESCE(%s, FALSE)", SQL.identifier(move, "ar_excluded"))

    @api.model
    def _covered_invoices_query(self, model, record_id):
        """SQL: ``residual`` (invoice currency) and ``rate`` (company currency per unit of invoice
        currency, at the invoices' own rate) of the invoices a record of case ``model`` covers;
        for a LATERAL join on ``record_id`` (the record's id column)."""
        table, column = self._case_relation(model)
        return SQL(
            """
            SELECT SUM(move.amount_residual) AS residual,
                   COALESCE(SUM(move.amount_total_signed) / NULLIF(SUM(move.amount_total), 0), 1) AS rate
              FROM %(rel)s rel
              JOIN account_move move ON move.id = rel.move_id
             WHERE %(record_column)s = %(record_id)s
            """,
            rel=SQL.identifier(table),
            record_column=SQL.identifier("rel", column),
            record_id=record_id,
        )
