# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, float_compare

from .common import fetch_without_jit, flush_fields

ASSIGNEE_RULES = [
    ("collector", "Customer's collector"),
    ("salesperson", "Customer's salesperson"),
    ("user", "A specific user"),
]
# a level falls at most a year before the due date and ten years after it
MIN_DELAY = -365
MAX_DELAY = 3650
# gaps and activity deadlines: at most a year
MAX_LEVEL_DAYS = 365
# what the level rule reads of a level
RULE_FIELDS = {"company_id", "active", "delay", "min_gap_days"}


class ArFollowupLevel(models.Model):
    """A rung of a company's dunning ladder.

    ``delay`` counts days from the invoice due date (negative: before it).
    Which level is due for an invoice is decided by
    :meth:`_get_due_levels`, the single place where the rule lives.
    """

    _name = "ar.followup.level"
    _description = "Follow-up Level"
    _order = "company_id, delay, id"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, translate=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    delay = fields.Integer(
        string="Days after due date",
        required=True,
        help="The level becomes due this many days after the invoice due date; "
        "a negative number means before the due date (a friendly pre-due notice).",
    )
    active = fields.Boolean(default=True)
    auto_execute = fields.Boolean(
        string="Automatic",
        help="Automatic levels are run by the daily follow-up job; manual levels "
        "land on the collectors' worklist and are run by a person.",
    )
    min_gap_days = fields.Integer(
        string="Minimum days since previous reminder",
        default=5,
        help="Do not apply this level to an invoice reminded fewer than this many days ago.",
    )
    stage_id = fields.Many2one(
        "ar.collection.stage",
        string="Move customer to stage",
        help="When this level is applied, the customer moves to this collection stage.",
    )
    # Channels
    send_email = fields.Boolean(string="Email")
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email template",
        domain="[('model', '=', 'res.partner')]",
    )
    email_attach_statement = fields.Boolean(
        string="Attach the statement",
        default=True,
        help="Attach the customer's statement (PDF) to the email. Without it, the email links to the "
        "customer's statement page only, which is lighter to send and always up to date; attach it "
        "where the customer or the law needs a document (a final notice).",
    )
    send_letter = fields.Boolean(
        string="Letter / statement",
        help="Print a letter with the customer statement, to post.",
    )
    create_activity = fields.Boolean(
        string="Activity",
        help="Schedule an activity (typically a phone call) for a person.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        default=lambda self: self.env.ref(
            "ar_collections.mail_activity_type_collection_call", raise_if_not_found=False
        ),
    )
    activity_summary = fields.Char(translate=True)
    activity_note = fields.Html(translate=True)
    activity_assignee_rule = fields.Selection(
        ASSIGNEE_RULES,
        string="Assign activity to",
        default="collector",
        help="Collector or salesperson fall back to the specific user, then to the person running the follow-up.",
    )
    activity_user_id = fields.Many2one("res.users", string="Specific user", check_company=True)
    activity_delay_days = fields.Integer(
        string="Activity due in (days)",
        default=0,
        help="Deadline of the activity, in days after the follow-up is run.",
    )
    note = fields.Html(string="Notes for collectors", translate=True)

    # ------------------------------------------------------------------
    # CRUD: a level added, changed or removed changes what is due on its company's invoices
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        levels = super().create(vals_list)
        self.env["account.move"]._ar_refresh_due_levels(levels.company_id.ids)
        return levels

    def write(self, vals):
        companies = self.company_id
        result = super().write(vals)
        if RULE_FIELDS & set(vals):
            self.env["account.move"]._ar_refresh_due_levels((companies | self.company_id).ids)
        return result

    def unlink(self):
        companies = self.company_id
        result = super().unlink()
        self.env["account.move"]._ar_refresh_due_levels(companies.ids)
        return result

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("delay", "company_id", "active")
    def _check_unique_delay(self):
        levels = self.filtered("active")
        if not levels:
            return
        others = self.search(
            [
                ("company_id", "in", levels.company_id.ids),
                ("delay", "in", levels.mapped("delay")),
                ("id", "not in", levels.ids),
            ]
        )
        for level in levels:
            clash = (others | levels - level).filtered(
                lambda lv, level=level: lv.company_id == level.company_id and lv.delay == level.delay
            )
            if clash:
                raise ValidationError(
                    self.env._(
                        "Follow-up levels '%(level)s' and '%(other)s' of %(company)s both "
                        "fall %(delay)s days after the due date. Give each level of a "
                        "company its own number of days, or archive one of them.",
                        level=level.name,
                        other=clash[0].name,
                        company=level.company_id.name,
                        delay=level.delay,
                    )
                )

    @api.constrains("send_email", "mail_template_id")
    def _check_email_template(self):
        for level in self:
            if level.send_email and not level.mail_template_id:
                raise ValidationError(
                    self.env._(
                        "Follow-up level '%(level)s' sends an email but has no email "
                        "template. Choose a template or untick the Email channel.",
                        level=level.name,
                    )
                )

    @api.constrains("delay", "min_gap_days", "activity_delay_days")
    def _check_days(self):
        for level in self:
            if not MIN_DELAY <= level.delay <= MAX_DELAY:
                raise ValidationError(
                    self.env._(
                        "Follow-up level '%(level)s' falls %(delay)s days after the due date: a level falls "
                        "between %(min)s (a year before) and %(max)s days (ten years after).",
                        level=level.name,
                        delay=level.delay,
                        min=MIN_DELAY,
                        max=MAX_DELAY,
                    )
                )
            if not 0 <= level.min_gap_days <= MAX_LEVEL_DAYS or not 0 <= level.activity_delay_days <= MAX_LEVEL_DAYS:
                raise ValidationError(
                    self.env._(
                        "Follow-up level '%(level)s': the minimum days since the previous reminder and the "
                        "activity deadline are between 0 and %(max)s days. Enter a number in that range.",
                        level=level.name,
                        max=MAX_LEVEL_DAYS,
                    )
                )

    @api.constrains("create_activity", "activity_type_id", "activity_assignee_rule", "activity_user_id")
    def _check_activity(self):
        for level in self.filtered("create_activity"):
            if not level.activity_type_id:
                raise ValidationError(
                    self.env._(
                        "Follow-up level '%(level)s' schedules an activity but has no "
                        "activity type. Choose one (e.g. Collection call).",
                        level=level.name,
                    )
                )
            if level.activity_assignee_rule == "user" and not level.activity_user_id:
                raise ValidationError(
                    self.env._(
                        "Follow-up level '%(level)s' assigns its activity to a specific user: choose that user.",
                        level=level.name,
                    )
                )

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _get_activity_user(self, partner):
        """The user the level's activity is assigned to for ``partner``."""
        self.ensure_one()
        user = self.env["res.users"]
        if self.activity_assignee_rule == "collector":
            user = partner.ar_collector_id
        elif self.activity_assignee_rule == "salesperson":
            user = partner.user_id
        return user or self.activity_user_id or self.env.user

    @api.model
    def _levels_applied(self, due_levels, sent_level):
        """What each invoice records when a message of ``sent_level`` covers
        invoices due ``due_levels`` (``{invoice: level}``, empty levels left out).

        Each invoice records its own due level, capped at the level sent; the
        invoices driving the message (the highest due level) record the level
        sent when a person raised it, so that no lower level follows it.
        """
        due_levels = {invoice: level for invoice, level in due_levels.items() if level}
        if not sent_level or not due_levels:
            return due_levels
        top = max(due_levels.values(), key=lambda level: level.delay)
        return {
            invoice: sent_level
            if level.delay > sent_level.delay or (level == top and sent_level.delay > top.delay)
            else level
            for invoice, level in due_levels.items()
        }

    def _amount_at_stake(self, total_due, overdue):
        """What a customer must owe for this level to be worth sending: the
        net overdue amount after the due date, the net balance before it (a
        pre-due notice). Both are net of unapplied credit notes and payments."""
        self.ensure_one()
        return overdue if self.delay > 0 else total_due

    def _is_worth_sending(self, total_due, overdue):
        """Whether the amount at stake is above the company's tolerance (and so above zero)."""
        return self._worth_sending_test()(total_due, overdue)

    def _worth_sending_test(self):
        """:meth:`_is_worth_sending` as a function of ``(total_due, overdue)``, the level and
        its company read once: for testing thousands of customers."""
        self.ensure_one()
        company = self.company_id
        tolerance, rounding = max(company.ar_followup_min_amount, 0.0), company.currency_id.rounding

        def worth_sending(total_due, overdue):
            at_stake = self._amount_at_stake(total_due, overdue)
            # float_compare only where rounding decides: not above, or a whole unit above
            if at_stake <= tolerance:
                return False
            if at_stake - tolerance >= rounding:
                return True
            return float_compare(at_stake, tolerance, precision_rounding=rounding) > 0

        return worth_sending

    @api.model
    def _get_due_levels(self, invoices, date, ignore_customer_exclusion=False):
        """Decide, for each invoice, the follow-up level due on ``date``.

        The rule (documented in the README):

        1. Only open customer invoices are followed up: posted, type
           ``out_invoice``, payment state ``not_paid`` or ``partial``, with a
           residual amount and a due date. Credit notes never get a level.
           An invoice's due date is that of its earliest unpaid installment.
        2. Invoices excluded from follow-ups, or whose customer is excluded,
           get nothing; nor do invoices paused (on an active payment plan,
           see ``account.move._ar_get_followup_pauses``).
        3. Candidates are the company's active levels whose ``delay`` is
           greater than that of the level the invoice already reached (a
           level is never applied twice, nor a lower one after a higher one).
        4. Among the candidates whose date (due date + delay) has passed, the
           highest is due: an invoice found 50 days late gets the +45 level
           directly, not every level on the way. An invoice whose follow-ups
           resume at a given level (a broken payment plan) gets that level
           next, if it has not reached it yet.
        5. It is due only if at least its ``min_gap_days`` passed since the
           invoice's last follow-up; otherwise it becomes due on that date.

        :param invoices: ``account.move`` recordset, any companies.
        :param date: the day of the decision.
        :param ignore_customer_exclusion: decide as if no customer were
            excluded (a preview lists them, with a warning).
        :return: ``{invoice_id: (level or empty, next_date or False)}`` where
            ``level`` is the level due on ``date`` and ``next_date`` the day
            the invoice next needs a follow-up (``date`` itself when a level is
            due now).
        """
        result = {invoice.id: (self.browse(), False) for invoice in invoices}
        ids = [move_id for move_id in invoices.ids if isinstance(move_id, int)]
        if not ids:
            return result
        query = self._due_levels_query(date, move_ids=ids, ignore_customer_exclusion=ignore_customer_exclusion)
        for move_id, level_id, next_date in fetch_without_jit(self.env.cr, query):
            result[move_id] = (self.browse(level_id), next_date)
        return result

    @api.model
    def _due_by_customer_query(self, date, company_ids, partner_ids=None):
        """SQL: ``partner_id, move_ids, level_id`` per customer of ``company_ids`` with invoices
        due a level on ``date`` (excluded customers included, for a preview to list them):
        their ids in due order and the highest level due. The decision stored for ``date`` is
        read as it is; the rule runs again only on the invoices decided for another day and on
        those of excluded customers (whose stored decision is none)."""
        Rules = self.env["ar.collection.rules"]
        self._flush_due_levels()
        self.env["account.move"].flush_model(["ar_due_level_id", "ar_due_decided_on"])
        partner_filter = (
            SQL("AND move.commercial_partner_id = ANY(%s)", list(partner_ids)) if partner_ids is not None else SQL()
        )
        return SQL(
            """
            WITH stored AS (
                SELECT move.id AS move_id, move.ar_due_level_id AS level_id,
                       move.commercial_partner_id AS partner_id, move.invoice_date_due AS due_date
                  FROM account_move move
                 WHERE move.company_id = ANY(%(company_ids)s)
                   AND move.ar_due_level_id IS NOT NULL
                   AND move.ar_due_decided_on = %(date)s
                   %(partner_filter)s
            ),
            again AS (
                SELECT due.move_id, due.level_id, move.commercial_partner_id, move.invoice_date_due
                  FROM (%(rule)s) due
                  JOIN account_move move ON move.id = due.move_id
                 WHERE due.level_id IS NOT NULL
            ),
            due AS (SELECT * FROM stored UNION SELECT * FROM again)
            SELECT due.partner_id,
                   ARRAY_AGG(due.move_id ORDER BY due.due_date, due.move_id),
                   (ARRAY_AGG(level.id ORDER BY level.delay DESC, level.id DESC))[1]
              FROM due
              JOIN ar_followup_level level ON level.id = due.level_id
          GROUP BY due.partner_id
          ORDER BY MIN(due.due_date), MIN(due.move_id)
            """,
            company_ids=list(company_ids),
            date=date,
            partner_filter=partner_filter,
            rule=self._due_levels_query(
                date,
                company_ids=company_ids,
                ignore_customer_exclusion=True,
                partner_ids=partner_ids,
                extra_filter=SQL(
                    "(move.ar_due_decided_on IS DISTINCT FROM %s OR %s)",
                    date,
                    Rules._customer_excluded_sql("customer", SQL("move.company_id")),
                ),
            ),
        )

    @api.model
    def _due_levels_query(
        self,
        date,
        move_ids=None,
        company_ids=None,
        ignore_customer_exclusion=False,
        partner_ids=None,
        extra_filter=None,
    ):
        """SQL: ``move_id, level_id, next_date`` of the invoices followed up among ``move_ids``
        (or of ``company_ids``): the rule of ``_get_due_levels`` on ``date``, for any number of
        invoices in one statement. Invoices not followed up (paid, paused, excluded, past the
        last level) have no row."""
        Rules = self.env["ar.collection.rules"]
        self._flush_due_levels()
        filters = [Rules._open_invoice_sql("move")]
        if move_ids is not None:
            filters.append(SQL("move.id = ANY(%s)", list(move_ids)))
        if company_ids is not None:
            filters.append(SQL("move.company_id = ANY(%s)", list(company_ids)))
        if partner_ids is not None:
            filters.append(SQL("move.commercial_partner_id = ANY(%s)", list(partner_ids)))
        if extra_filter is not None:
            filters.append(extra_filter)
        if not ignore_customer_exclusion:
            filters.append(SQL("NOT %s", Rules._customer_excluded_sql("customer", SQL("move.company_id"))))
        candidate = SQL(
            "level.company_id = invoice.company_id AND level.active "
            "AND (invoice.reached_delay IS NULL OR level.delay > invoice.reached_delay)"
        )
        return SQL(
            """
            WITH invoice AS (
                SELECT move.id AS move_id, move.company_id,
                       %(maturity)s AS due_date,
                       reached.delay AS reached_delay,
                       move.ar_followup_resume_level_id AS resume_id,
                       move.ar_last_followup_date AS last_date
                  FROM account_move move
                  JOIN res_partner customer ON customer.id = move.commercial_partner_id
             LEFT JOIN ar_followup_level reached ON reached.id = move.ar_followup_level_id
                 WHERE %(filters)s
                   AND NOT %(excluded)s
                   AND NOT %(paused)s
            )
            SELECT invoice.move_id,
                   CASE WHEN passed.id IS NOT NULL
                         AND (invoice.last_date IS NULL OR invoice.last_date + passed.min_gap_days <= %(date)s)
                        THEN passed.id END AS level_id,
                   CASE WHEN passed.id IS NULL
                        -- nothing passed yet: the first level still to come, after its gap
                        THEN GREATEST(invoice.due_date + first.delay, invoice.last_date + first.min_gap_days)
                        WHEN invoice.last_date IS NULL OR invoice.last_date + passed.min_gap_days <= %(date)s
                        THEN %(date)s
                        -- passed, but too soon after the last follow-up
                        ELSE invoice.last_date + passed.min_gap_days END AS next_date
              FROM invoice
              JOIN LATERAL (
                    SELECT level.delay, level.min_gap_days FROM ar_followup_level level
                     WHERE %(candidate)s ORDER BY level.delay, level.id LIMIT 1
                   ) first ON TRUE
         LEFT JOIN LATERAL (
                    -- the highest level passed; a level follow-ups resume at, whatever the dates say
                    SELECT level.id, level.min_gap_days FROM ar_followup_level level
                     WHERE %(candidate)s
                       AND CASE WHEN EXISTS (SELECT 1 FROM ar_followup_level resume
                                              WHERE resume.id = invoice.resume_id AND %(resume_candidate)s)
                                THEN level.id = invoice.resume_id
                                ELSE invoice.due_date + level.delay <= %(date)s END
                  ORDER BY level.delay DESC, level.id DESC LIMIT 1
                   ) passed ON TRUE
            """,
            maturity=Rules._open_maturity_sql("move"),
            filters=SQL(" AND ").join(filters),
            excluded=Rules._excluded_sql("move"),
            paused=Rules._paused_sql(SQL("move.id")),
            candidate=candidate,
            resume_candidate=SQL(
                "resume.company_id = invoice.company_id AND resume.active "
                "AND (invoice.reached_delay IS NULL OR resume.delay > invoice.reached_delay)"
            ),
            date=date,
        )

    @api.model
    def _flush_due_levels(self):
        flush_fields(
            self.env,
            (
                "account.move",
                [
                    "move_type",
                    "state",
                    "payment_state",
                    "invoice_date_due",
                    "amount_residual",
                    "commercial_partner_id",
                    "company_id",
                    "ar_excluded",
                    "ar_followup_level_id",
                    "ar_last_followup_date",
                    "ar_followup_resume_level_id",
                ],
            ),
            ("account.move.line", ["amount_residual", "date_maturity", "account_id", "move_id", "parent_state"]),
            ("ar.followup.level", ["company_id", "active", "delay", "min_gap_days"]),
            ("res.partner", ["ar_excluded"]),
        )
