# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_date

COUNTBACK_MONTHS = 24
# additive figures summed over the collectors into the company's total
ADDITIVE = (
    "ar_begin",
    "ar_end",
    "ar_end_current",
    "amount_overdue",
    "amount_90_plus",
    "credit_sales",
    "invoiced",
    "collected",
    "promises_kept",
    "promises_broken",
    "dispute_count",
    "dispute_amount",
    "disputes_closed",
    "dispute_days_total",
    "reminder_count",
    "reminder_mature_count",
    "reminder_paid_count",
)
# ratios of additive figures: {ratio: (numerator, denominators summed, factor)}; a group of
# snapshots (pivot, graph) gets the ratio of its sums, not the average of its rows' ratios
RATIOS = {
    "cei": ("collected", ("cei_base",), 100),
    "overdue_ratio": ("amount_overdue", ("ar_end",), 100),
    "over_90_ratio": ("amount_90_plus", ("ar_end",), 100),
    "promise_kept_ratio": ("promises_kept", ("promises_kept", "promises_broken"), 100),
    "dispute_avg_days": ("dispute_days_total", ("disputes_closed",), 1),
    "reminder_paid_ratio": ("reminder_paid_count", ("reminder_mature_count",), 100),
}


def ratio(figures, name):
    """RATIOS[name] of ``figures`` (0 when its denominator is not positive)."""
    numerator, denominators, factor = RATIOS[name]
    base = sum(figures[key] or 0 for key in denominators)
    return (figures[numerator] or 0) / base * factor if base > 0 else 0.0


def countback_days(balance, monthly_sales):
    """Days of sales a balance represents, counted back month by month.

    ``monthly_sales`` lists ``(days in month, credit sales)`` from the most
    recent month back. Whole months are taken while their sales fit in
    what is left of the balance; the month that exhausts it counts for the
    share of its days the rest represents. A balance older than every month
    given counts all their days.
    """
    days = 0.0
    left = balance
    for month_days, sales in monthly_sales:
        if left <= 0:
            break
        if sales > left:
            return days + month_days * left / sales
        days += month_days
        left -= max(sales, 0.0)
    return days


class ArKpiSnapshot(models.Model):
    """Collections KPIs of a company (or one collector's customers) over a period.

    Stored so that they can be compared over time (graph, pivot); made by
    the nightly job for the current and the previous month and on demand
    for any period (``_refresh``). Formulas are in the README; each field's
    help repeats its own.
    """

    _name = "ar.kpi.snapshot"
    _description = "Collections KPIs"
    _order = "date_to desc, is_company_total desc, collector_id, id"

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id", string="Company currency")
    collector_id = fields.Many2one("res.users", readonly=True)
    is_company_total = fields.Boolean(
        string="Company total", readonly=True, help="All customers of the company; otherwise one collector's."
    )
    date_from = fields.Date(string="From", required=True, readonly=True)
    date_to = fields.Date(string="To", required=True, readonly=True)
    period_days = fields.Integer(string="Days", readonly=True, aggregator=None)
    rolling = fields.Boolean(
        string="Month to date",
        readonly=True,
        help="Made by the nightly job for the current month; replaced by the next night's.",
    )
    # balances and flows (company currency)
    ar_begin = fields.Monetary(string="Receivables at start", readonly=True)
    ar_end = fields.Monetary(string="Receivables at end", readonly=True)
    ar_end_current = fields.Monetary(
        string="Not yet due at end", readonly=True, help="Receivables at end less overdue at end."
    )
    amount_overdue = fields.Monetary(
        string="Overdue at end",
        readonly=True,
        help="Per customer: items past due less its open credits (unapplied credit notes and payments), "
        "never below zero.",
    )
    amount_90_plus = fields.Monetary(string="Over 90 days overdue", readonly=True)
    credit_sales = fields.Monetary(
        readonly=True, help="Customer invoices less credit notes dated in the period (receivable side, taxes included)."
    )
    invoiced = fields.Monetary(
        readonly=True,
        help="Customer invoices dated in the period (receivable side, taxes included).",
    )
    collected = fields.Monetary(
        readonly=True,
        help="What customers settled of their invoices in the period, from the ledger: payments and credit notes "
        "reconciled with them, dated by the reconciliation. Unapplied credits collect nothing.",
    )
    cei_base = fields.Monetary(
        string="Collectable",
        readonly=True,
        help="Receivables at start + invoiced - not yet due at end: what could have been collected.",
    )
    # the KPIs
    dso = fields.Float(
        string="DSO (countback)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Days of the most recent credit sales the receivables at end represent, counted back month by month.",
    )
    best_dso = fields.Float(
        string="Best possible DSO",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="The same countback on the receivables not yet due: the DSO if every customer paid on time.",
    )
    avg_days_delinquent = fields.Float(
        string="Average days delinquent",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="DSO less best possible DSO: the days that late payments add.",
    )
    cei = fields.Float(
        string="CEI (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Collection effectiveness index: collected / (receivables at start + invoiced - not yet due at end) "
        "x 100.",
    )
    overdue_ratio = fields.Float(
        string="Overdue (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Overdue / receivables at end x 100.",
    )
    over_90_ratio = fields.Float(
        string="Over 90 days (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Over 90 days overdue / receivables at end x 100.",
    )
    promises_kept = fields.Integer(string="Promises kept", readonly=True)
    promises_broken = fields.Integer(string="Promises broken", readonly=True)
    promise_kept_ratio = fields.Float(
        string="Promises kept (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Promises kept / promises kept or broken, settled in the period, x 100.",
    )
    dispute_count = fields.Integer(string="Disputes opened", readonly=True)
    dispute_amount = fields.Monetary(string="Amount disputed", readonly=True)
    disputes_closed = fields.Integer(string="Disputes closed", readonly=True)
    dispute_days_total = fields.Integer(readonly=True)
    dispute_avg_days = fields.Float(
        string="Average days to resolve",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Over the disputes resolved or rejected in the period.",
    )
    reminder_count = fields.Integer(string="Reminders sent", readonly=True, help="Invoices reminded, per level.")
    reminder_mature_count = fields.Integer(string="Reminders 14 days old", readonly=True)
    reminder_paid_count = fields.Integer(string="Paid within 14 days", readonly=True)
    reminder_paid_ratio = fields.Float(
        string="Paid within 14 days (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Reminded invoices paid in full within 14 days / reminders at least 14 days old, x 100.",
    )
    reminder_table = fields.Html(string="Reminders per level", compute="_compute_reminder_table", sanitize=False)

    def init(self):
        # one set per company, collector (or none) and period; a plain unique
        # constraint would let rows without a collector repeat (NULLs differ)
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s "
                "(company_id, COALESCE(collector_id, 0), is_company_total, date_from, date_to)",
                SQL.identifier("ar_kpi_snapshot_period_uniq"),
                SQL.identifier(self._table),
            )
        )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("company_id", "collector_id", "is_company_total", "date_from", "date_to")
    def _compute_name(self):
        for snapshot in self:
            scope = (
                snapshot.company_id.name
                if snapshot.is_company_total
                else snapshot.collector_id.name or self.env._("No collector")
            )
            snapshot.name = self.env._(
                "%(scope)s, %(start)s - %(end)s",
                scope=scope,
                start=format_date(self.env, snapshot.date_from),
                end=format_date(self.env, snapshot.date_to),
            )

    @api.depends("company_id", "collector_id", "date_from", "date_to")
    def _compute_reminder_table(self):
        for snapshot in self:
            domain = snapshot._reminder_domain()
            rows = self.env["ar.reminder.report"]._read_group(
                domain, ["level_id"], ["__count", "paid_within:avg"], order="level_id"
            )
            cells = Markup("").join(
                Markup("<tr><td>%s</td><td class='text-end'>%s</td><td class='text-end'>%s</td></tr>")
                % (level.name, count, f"{share:.1f} %" if share is not None else "-")
                for level, count, share in rows
            )
            snapshot.reminder_table = Markup(
                "<table class='table table-sm o_ar_reminder_table'><thead><tr><th>%s</th>"
                "<th class='text-end'>%s</th><th class='text-end'>%s</th></tr></thead><tbody>%s</tbody></table>"
            ) % (self.env._("Level"), self.env._("Reminders"), self.env._("Paid within 14 days"), cells)

    def _reminder_domain(self):
        self.ensure_one()
        domain = [
            ("company_id", "=", self.company_id.id),
            ("date", ">=", self.date_from),
            ("date", "<=", self.date_to),
        ]
        if not self.is_company_total:
            domain.append(("collector_id", "=", self.collector_id.id))
        return domain

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.model
    def action_refresh_current(self):
        """The list's Refresh button: this month and the previous one, for the current company."""
        self._refresh_recent(self.env.company)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_open_reminders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("ar_collections.ar_reminder_report_action")
        action["domain"] = self._reminder_domain()
        return action

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    @api.model
    def _refresh(self, company, date_from, date_to, rolling=False):
        """(Re)compute the KPIs of ``company`` over the period: its total and
        one set per collector. Returns the snapshots, company total first."""
        if date_from > date_to:
            raise UserError(
                self.env._(
                    "The KPI period must start before it ends (%(start)s - %(end)s): swap the dates.",
                    start=date_from,
                    end=date_to,
                )
            )
        # sudo: KPIs are figures derived from the ledger, never edited; any collections
        # user may have them recomputed for a company they work in
        self.check_access("read")
        if not self.env.su and company not in self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "You do not work in %(company)s: its KPIs are computed by its own users.", company=company.name
                )
            )
        Snapshot = self.sudo().with_company(company)
        figures = Snapshot._compute_figures(company, date_from, date_to)
        existing = Snapshot.search(
            [("company_id", "=", company.id), ("date_from", "=", date_from), ("date_to", "=", date_to)]
        )
        by_key = {(s.is_company_total, s.collector_id.id or None): s for s in existing}
        snapshots = Snapshot.browse()
        for key, values in sorted(figures.items(), key=lambda item: (not item[0][0], item[0][1] or 0)):
            vals = {
                **values,
                "company_id": company.id,
                "is_company_total": key[0],
                "collector_id": key[1],
                "date_from": date_from,
                "date_to": date_to,
                "period_days": (date_to - date_from).days + 1,
                "rolling": rolling,
            }
            snapshot = by_key.pop(key, None)
            if snapshot:
                snapshot.write(vals)
            else:
                snapshot = Snapshot.create(vals)
            snapshots |= snapshot
        Snapshot.union(*by_key.values()).unlink()
        return snapshots.sudo(False)

    @api.model
    def _compute_figures(self, company, date_from, date_to):
        """``{(is company total, collector id or None): field values}``: the
        company's figures per collector (of the customer, today) and in
        total, from one query per kind of figure, whatever the book's size."""
        raw = defaultdict(lambda: dict.fromkeys(ADDITIVE, 0.0))
        raw_sales = defaultdict(lambda: [0.0] * COUNTBACK_MONTHS)
        as_of_end, as_of_start = date_to, date_from - timedelta(days=1)
        self._add_balances(raw, company, as_of_end, as_of_start)
        month_bounds = [
            (date_to - relativedelta(months=k + 1), date_to - relativedelta(months=k)) for k in range(COUNTBACK_MONTHS)
        ]
        self._add_sales(raw, raw_sales, company, date_from, date_to, month_bounds)
        self._add_collected(raw, company, date_from, date_to)
        self._add_cases(raw, company, date_from, date_to)
        self._add_reminders(raw, company, date_from, date_to)
        # the company total: the sum of its collectors' figures
        groups = {(False, collector): figures for collector, figures in raw.items()}
        total = dict.fromkeys(ADDITIVE, 0.0)
        total_sales = [0.0] * COUNTBACK_MONTHS
        for collector, figures in raw.items():
            for key in ADDITIVE:
                total[key] += figures[key]
            total_sales = [a + b for a, b in zip(total_sales, raw_sales[collector], strict=True)]
        groups[(True, None)] = total
        month_days = [(end - start).days for start, end in month_bounds]
        result = {}
        for key, figures in groups.items():
            sales = total_sales if key[0] else raw_sales[key[1]]
            result[key] = self._derive_kpis(figures, list(zip(month_days, sales, strict=True)))
        return result

    @api.model
    def _derive_kpis(self, figures, monthly_sales):
        """The ratios from the additive figures (see the field helps)."""
        values = {key: figures[key] for key in ADDITIVE}
        for key in ("promises_kept", "promises_broken", "dispute_count", "disputes_closed"):
            values[key] = int(values[key])
        values["dispute_days_total"] = int(values["dispute_days_total"])
        for key in ("reminder_count", "reminder_mature_count", "reminder_paid_count"):
            values[key] = int(values[key])
        dso = countback_days(figures["ar_end"], monthly_sales)
        best = countback_days(figures["ar_end_current"], monthly_sales)
        # what could have been collected: owed at start or invoiced since, and due by the end
        values["cei_base"] = figures["ar_begin"] + figures["invoiced"] - figures["ar_end_current"]
        values.update(dso=dso, best_dso=best, avg_days_delinquent=dso - best)
        values.update({name: ratio(values, name) for name in RATIOS})
        return values

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        """Pivot and graph: a group's ratios are those of its summed figures."""
        wanted = [name for name in RATIOS if any(spec.split(":")[0] == name for spec in fields)]
        parts = sorted({part for name in wanted for part in (RATIOS[name][0], *RATIOS[name][1])})
        extra = [f"{part}:sum" for part in parts if not any(spec.split(":")[0] == part for spec in fields)]
        groups = super().read_group(domain, list(fields) + extra, groupby, offset, limit, orderby, lazy)
        if not wanted:
            return groups
        companies = self.env["res.company"].browse(company.id for [company] in self._read_group(domain, ["company_id"]))
        mixed = len(companies.currency_id) > 1
        for group in groups:
            figures = group
            if mixed:
                # companies of several currencies: their amounts are added in the reader's
                # company currency, at today's rate
                figures = self._ar_group_figures_converted(group.get("__domain", domain), parts)
            for name in wanted:
                numerator, denominators, _factor = RATIOS[name]
                # snapshots made before a figure existed have none: keep Odoo's value for them
                if all(group.get(part) is not None for part in (numerator, *denominators)):
                    group[name] = ratio(figures, name)
        return groups

    @api.model
    def _ar_group_figures_converted(self, domain, parts):
        """The sums of ``parts`` over the snapshots of ``domain``, amounts converted to the
        current company's currency (one query for the group)."""
        target = self.env.company.currency_id
        today = fields.Date.context_today(self)
        figures = dict.fromkeys(parts, 0.0)
        for company, *sums in self._read_group(domain, ["company_id"], [f"{part}:sum" for part in parts]):
            for part, value in zip(parts, sums, strict=True):
                if self._fields[part].type == "monetary":
                    value = company.currency_id._convert(value or 0.0, target, self.env.company, today)
                figures[part] += value or 0.0
        return figures

    def _fetch(self, query):
        self.env.cr.execute(query)
        return self.env.cr.fetchall()

    @api.model
    def _collector_sql(self, partner_alias, company):
        """SQL: the collector (id) of the customer ``partner_alias`` in ``company``."""
        return SQL("(%s.ar_collector_id ->> %s)::integer", SQL.identifier(partner_alias), str(company.id))

    @api.model
    def _add_balances(self, raw, company, as_of_end, as_of_start):
        Rules = self.env["ar.collection.rules"]
        self.env["res.partner"].flush_model(["ar_collector_id"])
        collector = self._collector_sql("customer", company)
        # per customer first: what it owes and its overdue are net of its open
        # credits and never below zero (as on the customer's screen), so that
        # overdue <= receivables and a customer in credit does not hide another's debt
        for collector_id, total, overdue, over_90 in self._fetch(
            SQL(
                """
                SELECT collector_id, SUM(GREATEST(total, 0)), SUM(GREATEST(overdue, 0)), SUM(GREATEST(over_90, 0))
                  FROM (
                        SELECT %(collector)s AS collector_id,
                               SUM(item.residual) AS total,
                               COALESCE(SUM(item.residual) FILTER (WHERE %(overdue)s), 0) AS overdue,
                               COALESCE(SUM(item.residual) FILTER (WHERE %(over_90)s), 0) AS over_90
                          FROM (%(items)s) item
                          JOIN res_partner customer ON customer.id = item.partner_id
                      GROUP BY item.partner_id, 1
                       ) per_customer
              GROUP BY collector_id
                """,
                collector=collector,
                overdue=Rules._overdue_net_sql("item", as_of_end),
                over_90=Rules._overdue_net_sql("item", as_of_end - timedelta(days=90)),
                items=Rules._items_query(company.ids, as_of=as_of_end),
            )
        ):
            figures = raw[collector_id]
            figures["ar_end"], figures["amount_overdue"], figures["amount_90_plus"] = total, overdue, over_90
            figures["ar_end_current"] = total - overdue
        for collector_id, total in self._fetch(
            SQL(
                """
                SELECT collector_id, SUM(GREATEST(total, 0))
                  FROM (
                        SELECT %(collector)s AS collector_id, SUM(item.residual) AS total
                          FROM (%(items)s) item
                          JOIN res_partner customer ON customer.id = item.partner_id
                      GROUP BY item.partner_id, 1
                       ) per_customer
              GROUP BY collector_id
                """,
                collector=collector,
                items=Rules._items_query(company.ids, as_of=as_of_start),
            )
        ):
            raw[collector_id]["ar_begin"] = total

    @api.model
    def _add_sales(self, raw, raw_sales, company, date_from, date_to, month_bounds):
        """Credit sales of the period, and of each countback month."""
        self.env["account.move.line"].flush_model(["balance", "date", "parent_state"])
        self.env["account.move"].flush_model(["move_type"])
        oldest = month_bounds[-1][0]
        month_cases = SQL(" ").join(
            SQL("WHEN line.date > %s AND line.date <= %s THEN %s", start, end, index)
            for index, (start, end) in enumerate(month_bounds)
        )
        for collector_id, month, in_period, sales, invoiced in self._fetch(
            SQL(
                """
                SELECT %(collector)s,
                       CASE %(month_cases)s END,
                       line.date >= %(date_from)s,
                       SUM(line.balance),
                       COALESCE(SUM(line.balance) FILTER (WHERE %(invoice)s), 0)
                  FROM account_move_line line
                  JOIN account_move move ON move.id = line.move_id
                  JOIN account_account account ON account.id = line.account_id
                  JOIN res_partner partner ON partner.id = line.partner_id
                  JOIN res_partner customer ON customer.id = partner.commercial_partner_id
                 WHERE %(posted_receivable)s
                   AND %(customer_document)s
                   AND line.company_id = %(company_id)s
                   AND line.date > LEAST(%(oldest)s, %(date_from)s - 1)
                   AND line.date <= %(date_to)s
              GROUP BY 1, 2, 3
                """,
                month_cases=month_cases,
                invoice=self.env["ar.collection.rules"]._invoice_type_sql("move"),
                customer_document=self.env["ar.collection.rules"]._invoice_type_sql("move", credit_notes=True),
                posted_receivable=self.env["ar.collection.rules"]._posted_receivable_sql("line", "account"),
                oldest=oldest,
                **self._period_params(company, date_from, date_to),
            )
        ):
            figures = raw[collector_id]  # every collector with sales gets its figures
            if month is not None:
                raw_sales[collector_id][month] += sales
            if in_period:
                figures["credit_sales"] += sales
                figures["invoiced"] += invoiced

    @api.model
    def _period_params(self, company, date_from, date_to):
        """The parameters the per-collector queries of a period share."""
        return {
            "collector": self._collector_sql("customer", company),
            "company_id": company.id,
            "date_from": date_from,
            "date_to": date_to,
        }

    @api.model
    def _add_collected(self, raw, company, date_from, date_to):
        """What was settled of customer invoices in the period: the reconciliations of their
        receivable lines (with payments, credit notes or anything else) dated in it."""
        self.env["account.partial.reconcile"].flush_model(["amount", "max_date", "debit_move_id", "company_id"])
        for collector_id, collected in self._fetch(
            SQL(
                """
                SELECT %(collector)s, SUM(partial.amount)
                  FROM account_partial_reconcile partial
                  JOIN account_move_line line ON line.id = partial.debit_move_id
                  JOIN account_move_line counterpart ON counterpart.id = partial.credit_move_id
                  JOIN account_move move ON move.id = line.move_id
                  JOIN account_account account ON account.id = line.account_id
                  JOIN res_partner partner ON partner.id = line.partner_id
                  JOIN res_partner customer ON customer.id = partner.commercial_partner_id
                 WHERE %(posted_receivable)s
                   AND %(invoice)s
                   AND line.company_id = %(company_id)s
                   AND partial.max_date BETWEEN %(date_from)s AND %(date_to)s
                   -- an exchange difference settles nothing
                   AND %(settled)s
              GROUP BY 1
                """,
                settled=self.env["ar.collection.rules"]._not_exchange_difference_sql("counterpart"),
                invoice=self.env["ar.collection.rules"]._invoice_type_sql("move"),
                posted_receivable=self.env["ar.collection.rules"]._posted_receivable_sql("line", "account"),
                **self._period_params(company, date_from, date_to),
            )
        ):
            raw[collector_id]["collected"] += collected

    @api.model
    def _add_cases(self, raw, company, date_from, date_to):
        """Promises settled, disputes opened and closed in the period."""
        Rules = self.env["ar.collection.rules"]
        self.env["ar.payment.promise"].flush_model(["state", "date_settled", "partner_id", "company_id"])
        self.env["ar.dispute"].flush_model(
            ["state", "date_opened", "date_closed", "resolution_days", "amount", "partner_id", "company_id"]
        )
        for collector_id, kept, broken in self._fetch(
            SQL(
                """
                SELECT %(collector)s,
                       COUNT(*) FILTER (WHERE %(kept)s),
                       COUNT(*) FILTER (WHERE %(broken)s)
                  FROM ar_payment_promise promise
                  JOIN res_partner customer ON customer.id = promise.partner_id
                 WHERE promise.company_id = %(company_id)s
                   AND %(settled)s
                   AND promise.date_settled BETWEEN %(date_from)s AND %(date_to)s
              GROUP BY 1
                """,
                kept=Rules._case_state_sql("ar.payment.promise", "kept", "promise"),
                broken=Rules._case_state_sql("ar.payment.promise", "broken", "promise"),
                settled=Rules._case_state_sql("ar.payment.promise", "settled", "promise"),
                **self._period_params(company, date_from, date_to),
            )
        ):
            raw[collector_id]["promises_kept"] += kept
            raw[collector_id]["promises_broken"] += broken
        for collector_id, opened, amount, closed, days in self._fetch(
            SQL(
                """
                SELECT %(collector)s,
                       COUNT(*) FILTER (WHERE dispute.date_opened BETWEEN %(date_from)s AND %(date_to)s
                                          AND NOT %(cancelled)s),
                       COALESCE(SUM(dispute.amount * covered.rate) FILTER (
                           WHERE dispute.date_opened BETWEEN %(date_from)s AND %(date_to)s
                             AND NOT %(cancelled)s), 0),
                       COUNT(*) FILTER (WHERE dispute.date_closed BETWEEN %(date_from)s AND %(date_to)s
                                          AND %(decided)s),
                       COALESCE(SUM(dispute.resolution_days) FILTER (
                           WHERE dispute.date_closed BETWEEN %(date_from)s AND %(date_to)s
                             AND %(decided)s), 0)
                  FROM ar_dispute dispute
                  JOIN res_partner customer ON customer.id = dispute.partner_id
                  JOIN LATERAL (%(covered)s) covered ON TRUE
                 WHERE dispute.company_id = %(company_id)s
                   AND (dispute.date_opened BETWEEN %(date_from)s AND %(date_to)s
                        OR dispute.date_closed BETWEEN %(date_from)s AND %(date_to)s)
              GROUP BY 1
                """,
                covered=Rules._covered_invoices_query("ar.dispute", SQL.identifier("dispute", "id")),
                cancelled=Rules._case_state_sql("ar.dispute", "cancelled", "dispute"),
                decided=Rules._case_state_sql("ar.dispute", "decided", "dispute"),
                **self._period_params(company, date_from, date_to),
            )
        ):
            figures = raw[collector_id]
            figures["dispute_count"] += opened
            figures["dispute_amount"] += float(amount)
            figures["disputes_closed"] += closed
            figures["dispute_days_total"] += days

    @api.model
    def _add_reminders(self, raw, company, date_from, date_to):
        Report = self.env["ar.reminder.report"].with_company(company)
        for collector, count, mature, paid in self._fetch(
            SQL(
                """
                SELECT collector_id, COUNT(*), COUNT(paid_within), COUNT(*) FILTER (WHERE paid_within = 100)
                  FROM (%(reminders)s) reminder
                 WHERE date BETWEEN %(date_from)s AND %(date_to)s
              GROUP BY 1
                """,
                reminders=Report._reminder_query(fields.Date.context_today(self), company.ids),
                date_from=date_from,
                date_to=date_to,
            )
        ):
            figures = raw[collector]
            figures["reminder_count"] += count
            figures["reminder_mature_count"] += mature
            figures["reminder_paid_count"] += paid

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    def _cron_refresh_kpis(self):
        """Nightly: this month to date and the whole previous month, per company."""
        companies = self.env["res.company"].search([])
        for company in companies:
            self._refresh_recent(company)
        self.env["ir.cron"]._notify_progress(done=len(companies), remaining=0)
        return True

    @api.model
    def _refresh_recent(self, company):
        """The KPIs of this month to date and of the whole previous month."""
        today = fields.Date.context_today(self.with_company(company))
        month_start = today.replace(day=1)
        previous = self._refresh(company, month_start - relativedelta(months=1), month_start - timedelta(days=1))
        current = self._refresh(company, month_start, today, rolling=True)
        # sudo: yesterday's month-to-date figures are superseded (derived data, see _refresh)
        self.sudo().search(
            [("company_id", "=", company.id), ("rolling", "=", True), ("id", "not in", current.ids)]
        ).unlink()
        return previous | current
