# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .ar_collection_rules import CASE_MODELS, CREDIT_NOTE_TYPES, INVOICE_TYPES, OPEN_PAYMENT_STATES
from .common import wizard_action

COLLECTIONS_USER = "ar_collections.group_ar_collections_user"
COLLECTIONS_MANAGER = "ar_collections.group_ar_collections_manager"

AGING_BUCKETS = [
    ("not_due", "Not due"),
    ("1_30", "1-30 days"),
    ("31_60", "31-60 days"),
    ("61_90", "61-90 days"),
    ("91_120", "91-120 days"),
    ("120_plus", "120+ days"),
]
# bucket: (first day overdue, last day overdue or None)
BUCKET_BOUNDS = {
    "not_due": (None, 0),
    "1_30": (1, 30),
    "31_60": (31, 60),
    "61_90": (61, 90),
    "91_120": (91, 120),
    "120_plus": (121, None),
}


def aging_bucket(days_overdue):
    """The aging bucket of an item ``days_overdue`` days past due."""
    for bucket, (low, high) in BUCKET_BOUNDS.items():
        if (low is None or days_overdue >= low) and (high is None or days_overdue <= high):
            return bucket
    return "not_due"


class AccountMove(models.Model):
    _inherit = "account.move"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    ar_history_line_ids = fields.One2many(
        "ar.followup.history.line", "move_id", string="Follow-up history", groups=COLLECTIONS_USER
    )
    ar_followup_level_id = fields.Many2one(
        "ar.followup.level",
        string="Follow-up level reached",
        compute="_compute_ar_followup_reached",
        store=True,
        index="btree_not_null",
        groups=COLLECTIONS_USER,
        check_company=True,
    )
    ar_last_followup_date = fields.Date(
        string="Last follow-up",
        compute="_compute_ar_followup_reached",
        store=True,
        groups=COLLECTIONS_USER,
    )
    ar_excluded = fields.Boolean(
        string="Excluded from follow-ups",
        copy=False,
        groups=COLLECTIONS_USER,
        tracking=True,
    )
    ar_exclusion_reason = fields.Char(string="Exclusion reason", copy=False, groups=COLLECTIONS_USER)
    ar_followup_resume_level_id = fields.Many2one(
        "ar.followup.level",
        string="Resume follow-ups at",
        copy=False,
        groups=COLLECTIONS_USER,
        help="Set when a payment plan breaks: the next follow-up of this invoice is this level "
        "(unless it already reached a higher one); the usual rule takes over after it.",
        check_company=True,
    )
    ar_payment_plan_ids = fields.Many2many(
        "ar.payment.plan",
        "ar_payment_plan_account_move_rel",
        "move_id",
        "plan_id",
        string="Payment plans",
        copy=False,
        readonly=True,
        groups=COLLECTIONS_USER,
        check_company=True,
    )
    ar_dispute_ids = fields.Many2many(
        "ar.dispute",
        "ar_dispute_account_move_rel",
        "move_id",
        "dispute_id",
        string="Disputes",
        copy=False,
        readonly=True,
        groups=COLLECTIONS_USER,
        check_company=True,
    )
    ar_promise_ids = fields.Many2many(
        "ar.payment.promise",
        "ar_payment_promise_account_move_rel",
        "move_id",
        "promise_id",
        string="Promises to pay",
        copy=False,
        readonly=True,
        groups=COLLECTIONS_USER,
        check_company=True,
    )
    ar_followup_pause_reason = fields.Char(
        string="Follow-ups paused",
        compute="_compute_ar_followup_pause_reason",
        groups=COLLECTIONS_USER,
        help="Why follow-ups of this invoice are paused (payment plan, dispute, promise to pay), if they are.",
    )
    ar_days_overdue = fields.Integer(
        string="Days overdue",
        compute="_compute_ar_aging",
        search="_search_ar_days_overdue",
    )
    ar_aging_bucket = fields.Selection(
        AGING_BUCKETS,
        string="Aging",
        compute="_compute_ar_aging",
        search="_search_ar_aging_bucket",
        groups=COLLECTIONS_USER,
    )
    # the level rule's decision, stored: kept current by the events that change it (see the
    # depends, the levels' and customers' writes) and refreshed nightly for the passing of days
    ar_due_level_id = fields.Many2one(
        "ar.followup.level",
        string="Level due",
        compute="_compute_ar_due_level",
        store=True,
        index="btree_not_null",
        groups=COLLECTIONS_USER,
        check_company=True,
    )
    ar_next_followup_date = fields.Date(
        string="Next follow-up",
        compute="_compute_ar_due_level",
        store=True,
        index="btree_not_null",
        groups=COLLECTIONS_USER,
    )
    ar_due_decided_on = fields.Date(
        string="Level due decided on",
        compute="_compute_ar_due_level",
        store=True,
        groups=COLLECTIONS_USER,
        help="The day the stored level due and next follow-up were decided for: a preview of that day "
        "reads them; of another day, it applies the rule again.",
    )
    ar_collector_id = fields.Many2one(
        "res.users",
        string="Collector",
        compute="_compute_ar_collector_id",
        search="_search_ar_collector_id",
        groups=COLLECTIONS_USER,
    )
    ar_collection_stage_id = fields.Many2one(
        "ar.collection.stage",
        string="Collection stage",
        compute="_compute_ar_collector_id",
        groups=COLLECTIONS_USER,
    )
    ar_expected_payment_date = fields.Date(
        string="Expected payment",
        compute="_compute_ar_expected_payment_date",
        groups=COLLECTIONS_USER,
        help="When the customer is expected to pay: the due date plus its average days paid late "
        "(today at the earliest); the promised date under a promise to pay; the last open installment "
        "on a payment plan; none while disputed in full.",
    )
    ar_credit_hold_warning = fields.Char(
        string="Credit hold",
        compute="_compute_ar_credit_hold_warning",
        help="Why the customer is on credit hold, shown before a new invoice is posted.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("ar_history_line_ids.level_id", "ar_history_line_ids.date")
    def _compute_ar_followup_reached(self):
        for move in self:
            lines = move.ar_history_line_ids
            move.ar_followup_level_id = lines.level_id.sorted("delay")[-1:]
            last = lines.filtered("date").sorted(lambda line: (line.date, line.id))[-1:]
            # stored: the day it was in the time zone of the person who acted (else the
            # company's), not of whoever happens to trigger the recompute
            tz = last.user_id.tz or last.company_id.partner_id.tz or "UTC"
            move.ar_last_followup_date = (
                fields.Datetime.context_timestamp(last.with_context(tz=tz), last.date).date() if last else False
            )

    @api.depends("invoice_date_due", "payment_state")
    def _compute_ar_aging(self):
        today = fields.Date.context_today(self)
        Rules = self.env["ar.collection.rules"]
        maturities = Rules._open_maturities(self)
        for move in self:
            if Rules._is_open_invoice(move):
                move.ar_days_overdue = max((today - maturities[move.id]).days, 0)
                move.ar_aging_bucket = aging_bucket(move.ar_days_overdue)
            else:
                move.ar_days_overdue = 0
                move.ar_aging_bucket = False

    @api.depends(
        "state",
        "payment_state",
        "amount_residual",
        "invoice_date_due",
        "line_ids.date_maturity",
        "line_ids.amount_residual",
        "ar_excluded",
        "ar_followup_level_id",
        "ar_last_followup_date",
        "ar_followup_resume_level_id",
        "ar_payment_plan_ids.state",
        "ar_dispute_ids.state",
        "ar_promise_ids.state",
    )
    def _compute_ar_due_level(self):
        # the rule runs on posted customer invoices only: other entries have no level due
        invoices = self.filtered(lambda m: m.move_type in INVOICE_TYPES and m.state == "posted")
        today = fields.Date.context_today(self)
        due = self.env["ar.followup.level"]._get_due_levels(invoices, today)
        for move in self:
            move.ar_due_level_id, move.ar_next_followup_date = due.get(move.id, (False, False))
            move.ar_due_decided_on = today if move in invoices else False

    @api.model
    def _ar_refresh_due_levels(self, company_ids=None):
        """Store the level rule's decision for today on the open invoices of ``company_ids``
        (all by default), and clear it on those no longer followed up: two statements for any
        number of invoices. The nightly job runs it for the passing of days; editing a level
        runs it for its company."""
        self.env.flush_all()
        Level = self.env["ar.followup.level"]
        # sudo: the nightly refresh covers every company, whoever runs it
        companies = company_ids if company_ids is not None else self.env["res.company"].sudo().search([]).ids
        today = fields.Date.context_today(self)
        self.env.cr.execute(
            SQL(
                """
                WITH due AS (%(due)s),
                updated AS (
                    UPDATE account_move move
                       SET ar_due_level_id = due.level_id, ar_next_followup_date = due.next_date,
                           ar_due_decided_on = %(today)s
                      FROM due
                     WHERE move.id = due.move_id
                       AND (move.ar_due_level_id IS DISTINCT FROM due.level_id
                            OR move.ar_next_followup_date IS DISTINCT FROM due.next_date
                            OR move.ar_due_decided_on IS DISTINCT FROM %(today)s)
                 RETURNING move.id
                ),
                cleared AS (
                    UPDATE account_move move
                       SET ar_due_level_id = NULL, ar_next_followup_date = NULL, ar_due_decided_on = NULL
                     WHERE move.company_id = ANY(%(company_ids)s)
                       AND (move.ar_due_level_id IS NOT NULL OR move.ar_next_followup_date IS NOT NULL)
                       AND NOT EXISTS (SELECT 1 FROM due WHERE due.move_id = move.id)
                 RETURNING move.id
                )
                SELECT (SELECT COUNT(*) FROM updated), (SELECT COUNT(*) FROM cleared)
                """,
                due=Level._due_levels_query(today, company_ids=companies),
                company_ids=list(companies),
                today=today,
            )
        )
        updated, cleared = self.env.cr.fetchone()
        self.invalidate_model(["ar_due_level_id", "ar_next_followup_date", "ar_due_decided_on"])
        self.env["res.partner"]._ar_invalidate_followup()
        return updated + cleared

    @api.model
    def _cron_ar_refresh_due_levels(self):
        """Daily: the levels due today, for the passing of days."""
        return self._ar_refresh_due_levels()

    @api.depends("ar_payment_plan_ids.state", "ar_dispute_ids.state", "ar_promise_ids.state")
    def _compute_ar_followup_pause_reason(self):
        pauses = self._ar_get_followup_pauses()
        for move in self:
            move.ar_followup_pause_reason = pauses.get(move.id, False)

    @api.depends("commercial_partner_id")
    @api.depends_context("company")
    def _compute_ar_collector_id(self):
        # company-dependent values: read once per company for all its customers
        for company in self.company_id:
            moves = self.filtered(lambda m, c=company: m.company_id == c)
            moves.commercial_partner_id.with_company(company).mapped("ar_collector_id")
            for move in moves:
                partner = move.commercial_partner_id.with_company(company)
                move.ar_collector_id = partner.ar_collector_id
                move.ar_collection_stage_id = partner.ar_collection_stage_id
        self.filtered(lambda m: not m.company_id).update({"ar_collector_id": False, "ar_collection_stage_id": False})

    @api.depends("payment_state", "invoice_date_due", "ar_promise_ids.state", "ar_payment_plan_ids.state")
    def _compute_ar_expected_payment_date(self):
        expected = self.env["ar.cash.forecast"]._get_expected_dates(
            self.filtered(lambda m: m.payment_state in OPEN_PAYMENT_STATES)
        )
        for move in self:
            move.ar_expected_payment_date = expected.get(move.id, False)

    @api.depends("partner_id", "move_type", "state", "company_id")
    def _compute_ar_credit_hold_warning(self):
        holds = self.filtered(lambda m: m.state == "draft")._ar_get_credit_holds()
        for move in self:
            move.ar_credit_hold_warning = holds.get(move.id, False)

    # ------------------------------------------------------------------
    # Searches
    # ------------------------------------------------------------------
    def _search_ar_days_overdue(self, operator, value):
        """Days overdue as a due-date domain: ``days > N`` is ``due < today - N``."""
        flipped = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=", "!=": "!="}
        if operator not in flipped or not isinstance(value, int):
            raise UserError(self.env._("This filter does not support the operator %(operator)s.", operator=operator))
        limit = fields.Date.context_today(self) - timedelta(days=value)
        Rules = self.env["ar.collection.rules"]
        return Rules._open_invoice_domain() + Rules._maturity_domain(flipped[operator], limit)

    def _search_ar_aging_bucket(self, operator, value):
        if operator not in ("=", "in"):
            raise UserError(self.env._("This filter does not support the operator %(operator)s.", operator=operator))
        buckets = [value] if operator == "=" else list(value)
        today = fields.Date.context_today(self)
        domain = ["|"] * (len(buckets) - 1)
        for bucket in buckets:
            domain += self._ar_bucket_leaf(bucket, today)
        return self.env["ar.collection.rules"]._open_invoice_domain() + domain

    @api.model
    def _ar_bucket_leaf(self, bucket, today):
        """One bucket as a single domain term (an ``&`` of its bounds)."""
        low, high = BUCKET_BOUNDS[bucket]
        leaves = []
        if low is not None:
            leaves.append(self.env["ar.collection.rules"]._maturity_domain("<=", today - timedelta(days=low)))
        if high is not None:
            leaves.append(self.env["ar.collection.rules"]._maturity_domain(">=", today - timedelta(days=high)))
        return ["&"] * (len(leaves) - 1) + [leaf for domain in leaves for leaf in domain]

    def _search_ar_collector_id(self, operator, value):
        partners = self.env["res.partner"].search([("ar_collector_id", operator, value)])
        return [("commercial_partner_id", "in", partners.ids)]

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_ar_send_reminder(self):
        """Open the mail composer on the customer, prefilled with the
        template of the level due (else the level reached, else the first
        level with an email) and covering the customer's open invoices."""
        partner = self._ar_single_customer()
        company = self.company_id
        partner = partner.with_company(company)
        invoices = partner.ar_open_invoice_ids.filtered(lambda m: m.move_type in INVOICE_TYPES)
        due = self.env["ar.followup.level"]._get_due_levels(invoices, fields.Date.context_today(self))
        level = self._ar_reminder_level(partner, due)
        template = level.mail_template_id
        if not template:
            raise UserError(
                self.env._(
                    "No follow-up level of %(company)s has an email template. Set one on a "
                    "level in Accounting > Configuration > Collections > Follow-up levels.",
                    company=company.name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send reminder"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "res.partner",
                "default_res_ids": partner.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "default_subtype_xmlid": "mail.mt_comment",
                "allowed_company_ids": [company.id] + [c for c in self.env.companies.ids if c != company.id],
                "ar_followup_move_ids": invoices.ids,
            },
        }

    def action_ar_log_call(self):
        partner = self._ar_single_customer()
        return wizard_action(
            self.env._("Log a call"),
            "ar.followup.log.call",
            {
                "default_partner_id": partner.id,
                "default_company_id": self.company_id.id,
                "default_move_ids": self.ids,
            },
        )

    def action_ar_exclude(self):
        return wizard_action(
            self.env._("Exclude from follow-ups"), "ar.followup.exclude", {"default_move_ids": self.ids}
        )

    def action_ar_offer_payment_plan(self):
        partner = self._ar_single_customer()
        return self.env["ar.payment.plan.wizard"]._open_for(partner, self.company_id, self)

    def action_ar_open_dispute(self):
        """A new dispute on these invoices (one customer), for their whole balance by default."""
        return self._ar_case_action(self.env._("Open a dispute"), "ar.dispute", {})

    def action_ar_record_promise(self):
        """A new promise to pay these invoices (one customer)."""
        return self._ar_case_action(
            self.env._("Record a promise to pay"), "ar.payment.promise", {"default_channel": "call"}
        )

    def _ar_case_action(self, title, res_model, context):
        """The dialog creating a ``res_model`` record (dispute, promise) about
        these invoices' open balance, prefilled for their one customer."""
        partner = self._ar_single_customer()
        invoices = self.filtered(
            lambda m: m.move_type in INVOICE_TYPES and not m.currency_id.is_zero(m.amount_residual)
        )
        return wizard_action(
            title,
            res_model,
            {
                "default_partner_id": partner.id,
                "default_company_id": self.company_id.id,
                "default_currency_id": invoices.currency_id[:1].id or self.company_id.currency_id.id,
                "default_move_ids": invoices.ids,
                "default_amount": sum(invoices.mapped("amount_residual")),
                **context,
            },
        )

    def action_ar_include(self):
        moves = self.filtered("ar_excluded")
        moves.write({"ar_excluded": False, "ar_exclusion_reason": False})
        return True

    def action_ar_open_customer(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.commercial_partner_id.id,
            "view_mode": "form",
            "views": [(self.env.ref("ar_collections.res_partner_view_form_collections").id, "form")],
            "context": {"allowed_company_ids": self.company_id.ids},
        }

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _ar_get_followup_pauses(self):
        """``{move id: why its follow-ups are paused}`` for the invoices of
        ``self`` that follow-ups must leave alone for now: on an active
        payment plan, in an open dispute, or under an open promise to pay.
        One query per source, whatever the number of invoices.
        """
        ids = [move_id for move_id in self.ids if move_id]
        pauses = {}
        if not ids:
            return pauses
        for source in self._ar_pause_sources():
            for record in source.search(source._ar_pausing_domain() + [("move_ids", "in", ids)]):
                label = record._ar_pause_label()
                for move_id in set(record.move_ids.ids) & set(ids):
                    pauses.setdefault(move_id, label)
        return pauses

    @api.model
    def _ar_get_held_move_ids(self, partner_ids):
        """Ids of the open invoices of these customers that follow-ups do not
        demand now: paused (see ``_ar_get_followup_pauses``) or excluded."""
        held = set(
            self.search(
                [("commercial_partner_id", "in", partner_ids), ("ar_excluded", "=", True)]
                + self.env["ar.collection.rules"]._open_invoice_domain()
            ).ids
        )
        for source in self._ar_pause_sources():
            held.update(source.search(source._ar_pausing_domain() + [("partner_id", "in", partner_ids)]).move_ids.ids)
        return held

    @api.model
    def _ar_pause_sources(self):
        # sudo: a pause holds whoever looks (a dispute of a company not selected still holds its invoices)
        return [self.env[model].sudo() for model in CASE_MODELS]

    def _ar_get_credit_holds(self):
        """``{move id: why}`` for the customer invoices of ``self`` whose
        customer is on credit hold in the invoice's company: its risk score
        (nightly) or its overdue amount (now) at or above the company's
        thresholds. One query per company for the scores, one for the amounts."""
        holds = {}
        invoices = self.filtered(lambda m: m.move_type in INVOICE_TYPES and m.partner_id)
        for company in invoices.company_id:
            if not company.ar_credit_hold_score and not company.ar_credit_hold_overdue:
                continue
            moves = invoices.filtered(lambda m, c=company: m.company_id == c)
            partner_ids = moves.commercial_partner_id.ids
            # sudo (scores, figures): a billing clerk posting an invoice is told about
            # the hold without collections rights
            scores = self.env["ar.partner.score"].sudo()._get_scores(partner_ids, company)
            figures = self.env["res.partner"].sudo().with_company(company)._ar_get_receivable_figures(partner_ids)
            currency = company.currency_id
            for move in moves:
                partner = move.commercial_partner_id
                reasons = []
                score = scores.get(partner.id)
                if company.ar_credit_hold_score and score and score.score >= company.ar_credit_hold_score:
                    reasons.append(
                        self.env._(
                            "risk score %(score)s (limit %(limit)s)",
                            score=score.score,
                            limit=company.ar_credit_hold_score,
                        )
                    )
                overdue = figures.get(partner.id, (0.0, 0.0, None))[1]
                limit = company.ar_credit_hold_overdue
                if limit and currency.compare_amounts(overdue, limit) >= 0:
                    reasons.append(
                        self.env._(
                            "overdue %(amount)s (limit %(limit)s)",
                            amount=currency.format(overdue),
                            limit=currency.format(limit),
                        )
                    )
                if reasons:
                    holds[move.id] = self.env._(
                        "%(customer)s is on credit hold: %(reasons)s.",
                        customer=partner.name,
                        reasons=", ".join(reasons),
                    )
        return holds

    def _post(self, soft=True):
        """Customers on credit hold: posting their new invoices warns (a note
        in the chatter) or, in block mode, is refused to all but collections
        managers."""
        holds = self.filtered(lambda m: m.state == "draft")._ar_get_credit_holds()
        if holds:
            held = self.browse(list(holds))
            blocked = held.filtered(lambda m: m.company_id.ar_credit_hold_mode == "block")
            if blocked and not (self.env.su or self.env.user.has_group(COLLECTIONS_MANAGER)):
                raise UserError(
                    self.env._(
                        "%(holds)s\nPosting is blocked: ask a collections manager to post %(moves)s, "
                        "or settle the customer's overdue invoices first.",
                        holds="\n".join(holds[move.id] for move in blocked),
                        moves=", ".join(blocked.mapped(lambda m: m.name if m.name != "/" else m.partner_id.name)),
                    )
                )
        posted = super()._post(soft=soft)
        posted._ar_dispute_documents_changed()
        for move in posted.filtered(lambda m: m.id in holds):
            move.message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Posted while on credit hold, by %(user)s: %(why)s", user=self.env.user.name, why=holds[move.id]
                ),
                subtype_xmlid="mail.mt_note",
            )
        return posted

    def button_draft(self):
        """A credit note or replacement invoice of a resolved dispute reset to draft reopens it."""
        result = super().button_draft()
        self._ar_dispute_documents_changed()
        return result

    def button_cancel(self):
        result = super().button_cancel()
        self._ar_dispute_documents_changed()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_dispute_document(self):
        disputes = self._ar_disputes_of_documents()
        if disputes:
            raise UserError(
                self.env._(
                    "%(moves)s was made to resolve dispute %(disputes)s: post it, or cancel it (and the dispute's "
                    "other documents) to make new ones.",
                    moves=", ".join((disputes._ar_documents() & self).mapped("display_name")),
                    disputes=", ".join(disputes.mapped("name")),
                )
            )

    def _ar_disputes_of_documents(self):
        """The disputes whose credit notes or replacement invoices are among ``self``."""
        documents = self.filtered(lambda m: m.move_type in INVOICE_TYPES + CREDIT_NOTE_TYPES)
        if not documents:
            return self.env["ar.dispute"]
        # sudo: a dispute's documents decide its state, whoever posts, resets or cancels them
        return (
            self.env["ar.dispute"]
            .sudo()
            .search(["|", ("credit_note_ids", "in", documents.ids), ("replacement_invoice_ids", "in", documents.ids)])
        )

    def _ar_dispute_documents_changed(self):
        """Disputes are resolved when their documents are all posted, open again when one is not;
        posted replacement invoices take the payments of the invoices they replace."""
        disputes = self._ar_disputes_of_documents()
        if disputes:
            disputes._ar_reapply_payments(self.filtered(lambda m: m.state == "posted"))
            disputes._ar_documents_changed(self)

    def _ar_single_customer(self):
        """The one customer of these invoices, or a clear error."""
        if not self:
            raise UserError(self.env._("Select at least one customer invoice."))
        not_customer = self.filtered(
            lambda m: m.move_type not in INVOICE_TYPES + CREDIT_NOTE_TYPES or m.state != "posted"
        )
        if not_customer:
            raise UserError(
                self.env._(
                    "Follow-ups apply to posted customer invoices only; %(moves)s is not one.",
                    moves=", ".join(not_customer.mapped("display_name")),
                )
            )
        if len(self.commercial_partner_id) > 1 or len(self.company_id) > 1:
            raise UserError(
                self.env._(
                    "Select invoices of one customer in one company (you selected %(customers)s).",
                    customers=", ".join(self.commercial_partner_id.mapped("name")),
                )
            )
        return self.commercial_partner_id

    def _ar_reminder_level(self, partner, due):
        """The level whose template a manual reminder uses."""
        Level = self.env["ar.followup.level"]
        due_levels = Level.union(*(level for level, _next in due.values()))
        for candidate in (due_levels, partner.ar_followup_level_id):
            with_email = candidate.filtered("mail_template_id").sorted("delay")
            if with_email:
                return with_email[-1]
        return Level.search([("company_id", "=", self.company_id.id), ("mail_template_id", "!=", False)], limit=1)
