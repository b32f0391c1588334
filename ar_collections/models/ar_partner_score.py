# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .common import flush_fields

RISK_LEVELS = [("low", "Low"), ("medium", "Medium"), ("high", "High")]

# The risk score: 0 (no sign of risk) to 100, the sum of six capped parts.
# (column, points at most, what reaches them); the README explains each.
RISK_PARTS = [
    ("points_late", 30, "average days paid late over 12 months, 60 days or more"),
    ("points_trend", 10, "average days late up 30 days or more on the 12 months before"),
    ("points_promises", 15, "3 promises to pay broken or more in 12 months"),
    ("points_disputes", 10, "2 open disputes or more"),
    ("points_overdue", 20, "everything the customer owes is overdue"),
    ("points_credit", 15, "the balance reaches the credit limit"),
]
LATE_DAYS_CAP = 60
TREND_DAYS_CAP = 30
BROKEN_PROMISES_CAP = 3
OPEN_DISPUTES_CAP = 2
MEDIUM_RISK, HIGH_RISK = 30, 60


class ArPartnerScore(models.Model):
    """A customer's payment behaviour and risk score in one company.

    Recomputed for every customer of every company by the nightly job, in
    one SQL statement per company (see ``_compute_scores``): nothing here is
    edited by hand.
    """

    _name = "ar.partner.score"
    _description = "Customer Payment Behaviour and Risk"
    _order = "score desc, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id", string="Company currency")
    collector_id = fields.Many2one("res.users", readonly=True)
    date_computed = fields.Date(string="Computed on", readonly=True)
    # behaviour over the last 12 months of paid invoices
    paid_count = fields.Integer(string="Invoices paid (12 months)", readonly=True)
    late_count = fields.Integer(string="Paid late (12 months)", readonly=True)
    late_share = fields.Float(
        string="Share paid late", readonly=True, aggregator="avg", help="Invoices paid after their due date."
    )
    avg_days_late = fields.Float(
        string="Average days late",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Days between due date and payment, early payments counting as 0, weighted by invoice amount, "
        "over the invoices paid in the last 12 months.",
    )
    avg_days_late_previous = fields.Float(
        string="Average days late (previous 12 months)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    late_trend = fields.Float(
        string="Trend (days)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Average days late now less the 12 months before: above 0, the customer pays later than it did.",
    )
    broken_promise_count = fields.Integer(string="Promises broken (12 months)", readonly=True)
    open_dispute_count = fields.Integer(string="Open disputes", readonly=True)
    total_due = fields.Monetary(currency_field="currency_id", readonly=True)
    overdue_amount = fields.Monetary(string="Overdue", currency_field="currency_id", readonly=True)
    overdue_ratio = fields.Float(readonly=True, aggregator="avg")
    credit_limit = fields.Monetary(currency_field="currency_id", readonly=True, aggregator=None)
    credit_use = fields.Float(string="Credit limit used", readonly=True, aggregator="avg")
    points_late = fields.Float(string="Points: late payments", readonly=True, digits=(16, 1), aggregator="avg")
    points_trend = fields.Float(string="Points: trend", readonly=True, digits=(16, 1), aggregator="avg")
    points_promises = fields.Float(string="Points: broken promises", readonly=True, digits=(16, 1), aggregator="avg")
    points_disputes = fields.Float(string="Points: open disputes", readonly=True, digits=(16, 1), aggregator="avg")
    points_overdue = fields.Float(string="Points: overdue share", readonly=True, digits=(16, 1), aggregator="avg")
    points_credit = fields.Float(string="Points: credit limit use", readonly=True, digits=(16, 1), aggregator="avg")
    score = fields.Integer(string="Risk score", readonly=True, aggregator="avg", help="0 (no risk sign) to 100.")
    risk_level = fields.Selection(RISK_LEVELS, readonly=True)

    _sql_constraints = [
        ("partner_company_uniq", "unique(partner_id, company_id)", "A customer has one risk score per company."),
    ]

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _get_explanation(self):
        """The score as a sum of its parts, in words."""
        self.ensure_one()
        # the field labels in the reader's language (read time: the score is stored, its words are not)
        labels = {
            fname: self._fields[fname]._description_string(self.env).split(": ", 1)[-1].capitalize()
            for fname, _points, _reason in RISK_PARTS
        }
        parts = [f"{labels[fname]} {self[fname]:.1f}/{points}" for fname, points, _reason in RISK_PARTS if self[fname]]
        return " + ".join(parts) + f" = {self.score}" if parts else self.env._("No risk sign: 0")

    @api.model
    def _get_scores(self, partner_ids, company):
        """``{commercial partner id: ar.partner.score}`` in ``company``, in one query."""
        scores = self.search([("partner_id", "in", list(partner_ids)), ("company_id", "=", company.id)])
        return {score.partner_id.id: score for score in scores}

    @api.model
    def _compute_scores(self, company, today=None):
        """Recompute every customer's behaviour and score in ``company``, in
        one statement (insert or update), and drop the rows of customers
        with nothing left to score. Returns the number of customers scored."""
        today = today or fields.Date.context_today(self.with_company(company))
        Rules = self.env["ar.collection.rules"]
        flush_fields(
            self.env,
            ("ar.payment.promise", ["state", "date_settled"]),
            ("ar.dispute", ["state"]),
            ("res.partner", ["credit_limit", "ar_collector_id"]),
        )
        credit_limit_fallback = (
            self.env["res.partner"]
            ._fields["credit_limit"]
            .get_company_dependent_fallback(self.env["res.partner"].with_company(company))
            or 0.0
        )
        now = fields.Datetime.now()
        query = SQL(
            """
            WITH paid AS (
                SELECT move_id, partner_id, amount, GREATEST(paid_on - date_due, 0) AS days_late, paid_on
                  FROM (%(paid)s) paid
                 WHERE paid_on > %(start_previous)s AND paid_on <= %(today)s
            ),
            invoices AS (
                SELECT move_id, partner_id, MAX(paid_on) AS paid_on, MAX(days_late) AS days_late
                  FROM paid
              GROUP BY move_id, partner_id
            ),
            counts AS (
                SELECT partner_id,
                       COUNT(*) FILTER (WHERE paid_on > %(start)s) AS paid_count,
                       COUNT(*) FILTER (WHERE paid_on > %(start)s AND days_late > 0) AS late_count
                  FROM invoices
              GROUP BY partner_id
            ),
            behaviour AS (
                SELECT paid.partner_id,
                       MAX(counts.paid_count) AS paid_count,
                       MAX(counts.late_count) AS late_count,
                       SUM(amount * days_late) FILTER (WHERE paid_on > %(start)s)
                           / NULLIF(SUM(amount) FILTER (WHERE paid_on > %(start)s), 0) AS avg_days_late,
                       SUM(amount * days_late) FILTER (WHERE paid_on <= %(start)s)
                           / NULLIF(SUM(amount) FILTER (WHERE paid_on <= %(start)s), 0) AS avg_days_late_previous
                  FROM paid
                  JOIN counts ON counts.partner_id = paid.partner_id
              GROUP BY paid.partner_id
            ),
            figures AS (%(figures)s),
            promises AS (
                SELECT partner_id, COUNT(*) AS broken
                  FROM ar_payment_promise promise
                 WHERE company_id = %(company_id)s AND %(promise_broken)s AND date_settled > %(start)s
              GROUP BY partner_id
            ),
            disputes AS (
                SELECT partner_id, COUNT(*) AS open
                  FROM ar_dispute dispute
                 WHERE company_id = %(company_id)s AND %(dispute_open)s
              GROUP BY partner_id
            ),
            customers AS (
                SELECT partner_id FROM behaviour
                 UNION SELECT partner_id FROM figures
                 UNION SELECT partner_id FROM promises
                 UNION SELECT partner_id FROM disputes
            ),
            measures AS (
                SELECT customers.partner_id,
                       (partner.ar_collector_id ->> %(company_key)s)::integer AS collector_id,
                       COALESCE(behaviour.paid_count, 0) AS paid_count,
                       COALESCE(behaviour.late_count, 0) AS late_count,
                       COALESCE(behaviour.late_count::numeric / NULLIF(behaviour.paid_count, 0), 0) AS late_share,
                       COALESCE(behaviour.avg_days_late, 0) AS avg_days_late,
                       COALESCE(behaviour.avg_days_late_previous, 0) AS avg_days_late_previous,
                       CASE WHEN behaviour.avg_days_late IS NOT NULL AND behaviour.avg_days_late_previous IS NOT NULL
                            THEN behaviour.avg_days_late - behaviour.avg_days_late_previous ELSE 0 END AS late_trend,
                       COALESCE(promises.broken, 0) AS broken_promise_count,
                       COALESCE(disputes.open, 0) AS open_dispute_count,
                       COALESCE(figures.total_due, 0) AS total_due,
                       COALESCE(figures.overdue, 0) AS overdue_amount,
                       CASE WHEN figures.total_due > 0 THEN LEAST(figures.overdue / figures.total_due, 1)
                            ELSE 0 END AS overdue_ratio,
                       CASE WHEN %(use_credit_limit)s
                            THEN COALESCE((partner.credit_limit ->> %(company_key)s)::numeric,
                                          %(credit_limit_fallback)s)
                            ELSE 0 END AS credit_limit
                  FROM customers
                  JOIN res_partner partner ON partner.id = customers.partner_id
             LEFT JOIN behaviour ON behaviour.partner_id = customers.partner_id
             LEFT JOIN figures ON figures.partner_id = customers.partner_id
             LEFT JOIN promises ON promises.partner_id = customers.partner_id
             LEFT JOIN disputes ON disputes.partner_id = customers.partner_id
            ),
            parts AS (
                SELECT measures.*,
                       CASE WHEN credit_limit > 0 THEN GREATEST(total_due, 0) / credit_limit ELSE 0 END AS credit_use,
                       %(w_late)s * LEAST(avg_days_late, %(late_cap)s) / %(late_cap)s AS points_late,
                       %(w_trend)s * LEAST(GREATEST(late_trend, 0), %(trend_cap)s) / %(trend_cap)s AS points_trend,
                       %(w_promises)s * LEAST(broken_promise_count, %(promise_cap)s) / %(promise_cap)s
                           AS points_promises,
                       %(w_disputes)s * LEAST(open_dispute_count, %(dispute_cap)s) / %(dispute_cap)s
                           AS points_disputes,
                       %(w_overdue)s * overdue_ratio AS points_overdue,
                       CASE WHEN credit_limit > 0
                            THEN %(w_credit)s * LEAST(GREATEST(total_due, 0) / credit_limit, 1)
                            ELSE 0 END AS points_credit
                  FROM measures
            ),
            scored AS (
                SELECT parts.*,
                       ROUND(points_late + points_trend + points_promises + points_disputes
                             + points_overdue + points_credit)::integer AS score
                  FROM parts
            )
            INSERT INTO ar_partner_score (
                partner_id, company_id, collector_id, date_computed, paid_count, late_count, late_share,
                avg_days_late, avg_days_late_previous, late_trend, broken_promise_count, open_dispute_count,
                total_due, overdue_amount, overdue_ratio, credit_limit, credit_use, points_late, points_trend,
                points_promises, points_disputes, points_overdue, points_credit, score, risk_level,
                create_uid, create_date, write_uid, write_date
            )
            SELECT partner_id, %(company_id)s, collector_id, %(today)s, paid_count, late_count, late_share,
                   avg_days_late, avg_days_late_previous, late_trend, broken_promise_count, open_dispute_count,
                   total_due, overdue_amount, overdue_ratio, credit_limit, credit_use, points_late, points_trend,
                   points_promises, points_disputes, points_overdue, points_credit, score,
                   CASE WHEN score >= %(high)s THEN 'high' WHEN score >= %(medium)s THEN 'medium' ELSE 'low' END,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM scored
            ON CONFLICT (partner_id, company_id) DO UPDATE SET
                collector_id = EXCLUDED.collector_id, date_computed = EXCLUDED.date_computed,
                paid_count = EXCLUDED.paid_count, late_count = EXCLUDED.late_count,
                late_share = EXCLUDED.late_share, avg_days_late = EXCLUDED.avg_days_late,
                avg_days_late_previous = EXCLUDED.avg_days_late_previous, late_trend = EXCLUDED.late_trend,
                broken_promise_count = EXCLUDED.broken_promise_count,
                open_dispute_count = EXCLUDED.open_dispute_count, total_due = EXCLUDED.total_due,
                overdue_amount = EXCLUDED.overdue_amount, overdue_ratio = EXCLUDED.overdue_ratio,
                credit_limit = EXCLUDED.credit_limit, credit_use = EXCLUDED.credit_use,
                points_late = EXCLUDED.points_late, points_trend = EXCLUDED.points_trend,
                points_promises = EXCLUDED.points_promises, points_disputes = EXCLUDED.points_disputes,
                points_overdue = EXCLUDED.points_overdue, points_credit = EXCLUDED.points_credit,
                score = EXCLUDED.score, risk_level = EXCLUDED.risk_level,
                write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
            """,
            company_id=company.id,
            company_key=str(company.id),
            paid=Rules._paid_invoices_query(company.ids),
            promise_broken=Rules._case_state_sql("ar.payment.promise", "broken", "promise"),
            dispute_open=Rules._case_state_sql("ar.dispute", "pausing", "dispute"),
            today=today,
            start=today - relativedelta(months=12),
            start_previous=today - relativedelta(months=24),
            figures=self.env["res.partner"]._ar_receivable_figures_query(company, today),
            credit_limit_fallback=credit_limit_fallback,
            use_credit_limit=bool(company.account_use_credit_limit),
            **{f"w_{fname.removeprefix('points_')}": float(points) for fname, points, _reason in RISK_PARTS},
            late_cap=LATE_DAYS_CAP,
            trend_cap=TREND_DAYS_CAP,
            promise_cap=BROKEN_PROMISES_CAP,
            dispute_cap=OPEN_DISPUTES_CAP,
            high=HIGH_RISK,
            medium=MEDIUM_RISK,
            uid=self.env.uid,
            now=now,
        )
        self.env.cr.execute(query)
        scored = self.env.cr.rowcount
        self.env.cr.execute(
            SQL(
                "DELETE FROM ar_partner_score WHERE company_id = %s AND write_date != %s",
                company.id,
                now,
            )
        )
        self.invalidate_model()
        return scored

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    def _cron_compute_scores(self):
        """Nightly: every customer's payment behaviour and risk score, one
        SQL statement per company."""
        companies = self.env["res.company"].search([])
        scored = sum(self._compute_scores(company) for company in companies)
        self.env["ir.cron"]._notify_progress(done=scored, remaining=0)
        return scored
