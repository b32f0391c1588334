# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .common import MAX_INSTALLMENTS

# grace periods of installments and promises: at most two months
MAX_GRACE_DAYS = 60


class ResCompany(models.Model):
    _inherit = "res.company"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    ar_followup_min_amount = fields.Monetary(
        string="Follow-up tolerance",
        currency_field="currency_id",
        help="Customers owing less than this overdue amount are not reminded.",
    )
    ar_payment_plan_grace_days = fields.Integer(
        string="Installment grace period (days)",
        default=5,
        help="An installment unpaid this many days after its due date is late.",
    )
    ar_payment_plan_max_missed = fields.Integer(
        string="Late installments that break a plan",
        default=2,
        help="A payment plan breaks when this many of its installments are late at once.",
    )
    ar_payment_plan_break_level_id = fields.Many2one(
        "ar.followup.level",
        string="Resume follow-ups at",
        domain="[('company_id', '=', id)]",
        help="When a plan breaks, its invoices' next follow-up is this level (e.g. the final notice), "
        "whatever the dates say. Empty: the usual rule decides.",
        check_company=True,
    )

    ar_promise_grace_days = fields.Integer(
        string="Promise grace period (days)",
        default=2,
        help="Follow-ups wait this many days after a promised date before deciding the promise was broken.",
    )
    ar_promise_max_days = fields.Integer(
        string="Promise at most (days ahead)",
        default=90,
        help="A promise to pay is for a date at most this many days from the day it is recorded.",
    )
    ar_promise_broken_next_level = fields.Boolean(
        string="Broken promise: next level",
        default=True,
        help="When a promise is broken, the next follow-up of its invoices is the next level of the ladder "
        "at once, whatever the dates say.",
    )

    ar_credit_hold_score = fields.Integer(
        string="Credit hold from risk score",
        default=80,
        help="Customers whose risk score (0-100, nightly) reaches this are on credit hold. 0: never.",
    )
    ar_credit_hold_overdue = fields.Monetary(
        string="Credit hold from overdue amount",
        currency_field="currency_id",
        help="Customers owing this much overdue or more are on credit hold. 0: never.",
    )
    ar_credit_hold_mode = fields.Selection(
        [("warn", "Warn"), ("block", "Block (collections managers can post)")],
        string="Posting an invoice on credit hold",
        default="warn",
        required=True,
    )

    ar_portal_link_days = fields.Integer(
        string="Statement links valid (days)",
        default=60,
        help="The link to the customer's statement page, in every reminder and statement, works this many "
        "days after it was sent.",
    )
    ar_portal_daily_limit = fields.Integer(
        string="Portal requests per day",
        default=3,
        help="A customer may record at most this many promises, and as many disputes, a day on its statement page.",
    )
    ar_portal_user_id = fields.Many2one(
        "res.users",
        string="Portal requests go to",
        domain="[('share', '=', False), ('company_ids', 'in', id)]",
        help="Who gets the activity (and owns the dispute) when a customer acts on its statement page and has "
        "no collector. Empty: the first collections manager of the company.",
    )

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("ar_followup_min_amount")
    def _check_ar_followup_min_amount(self):
        for company in self:
            if company.currency_id.compare_amounts(company.ar_followup_min_amount, 0.0) < 0:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the follow-up tolerance is an amount of 0 or more (0: every overdue "
                        "amount is followed up).",
                        company=company.name,
                    )
                )

    @api.constrains("ar_credit_hold_score", "ar_credit_hold_overdue")
    def _check_ar_credit_hold(self):
        for company in self:
            if not 0 <= company.ar_credit_hold_score <= 100 or company.ar_credit_hold_overdue < 0:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the credit hold score must be between 0 and 100 and the overdue "
                        "amount 0 or more (0 turns either off).",
                        company=company.name,
                    )
                )

    @api.constrains(
        "ar_payment_plan_grace_days", "ar_payment_plan_max_missed", "ar_promise_grace_days", "ar_promise_max_days"
    )
    def _check_ar_payment_plan_settings(self):
        for company in self:
            if (
                not 0 <= company.ar_payment_plan_grace_days <= MAX_GRACE_DAYS
                or not 1 <= company.ar_payment_plan_max_missed <= MAX_INSTALLMENTS
                or not 0 <= company.ar_promise_grace_days <= MAX_GRACE_DAYS
                or not 1 <= company.ar_promise_max_days <= 366
            ):
                raise ValidationError(
                    self.env._(
                        "%(company)s: the installment and promise grace periods must be 0 to %(grace)s days, "
                        "a plan must break after 1 to %(count)s late installments, and a promise may be for 1 to "
                        "366 days ahead.",
                        company=company.name,
                        grace=MAX_GRACE_DAYS,
                        count=MAX_INSTALLMENTS,
                    )
                )

    @api.constrains("ar_portal_link_days", "ar_portal_daily_limit")
    def _check_ar_portal_settings(self):
        for company in self:
            if not 1 <= company.ar_portal_link_days <= 366 or not 1 <= company.ar_portal_daily_limit <= 50:
                raise ValidationError(
                    self.env._(
                        "%(company)s: statement links are valid 1 to 366 days, and a customer may make 1 to 50 "
                        "requests a day on its statement page.",
                        company=company.name,
                    )
                )

    @api.constrains("ar_payment_plan_break_level_id")
    def _check_ar_payment_plan_break_level(self):
        # res.company does not check its own relations by itself (no _check_company_auto)
        self._check_company(["ar_payment_plan_break_level_id"])

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._ar_create_default_followup_levels()
        return companies

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _ar_default_followup_level_vals(self):
        """The default dunning ladder, as ``create`` values for ``self``.

        A friendly notice before the due date, two reminders (the second
        with a call), a final notice with a letter and an escalation that asks
        a person to decide on agency or legal action.
        """
        self.ensure_one()

        def ref(xmlid, model):
            return self.env.ref(f"ar_collections.{xmlid}", raise_if_not_found=False) or self.env[model]

        def email(xmlid):
            template = ref(xmlid, "mail.template")
            return {"send_email": bool(template), "mail_template_id": template.id}

        def activity(xmlid, summary, delay_days):
            activity_type = ref(xmlid, "mail.activity.type")
            return {
                "create_activity": bool(activity_type),
                "activity_type_id": activity_type.id,
                "activity_summary": summary,
                "activity_delay_days": delay_days,
            }

        def stage(stage_type):
            return self.env["ar.collection.stage"]._get_stage_of_type(stage_type).id

        return [
            {
                "name": self.env._("Friendly notice"),
                "delay": -3,
                "auto_execute": True,
                "min_gap_days": 0,
                **email("mail_template_followup_friendly"),
                "email_attach_statement": False,
            },
            {
                "name": self.env._("First reminder"),
                "delay": 7,
                "auto_execute": True,
                "min_gap_days": 5,
                **email("mail_template_followup_reminder"),
                "email_attach_statement": False,
                "stage_id": stage("reminded"),
            },
            {
                "name": self.env._("Second reminder"),
                "delay": 21,
                "auto_execute": True,
                "min_gap_days": 7,
                **email("mail_template_followup_second"),
                "email_attach_statement": False,
                **activity("mail_activity_type_collection_call", self.env._("Call about overdue invoices"), 2),
                "stage_id": stage("reminded"),
            },
            {
                "name": self.env._("Final notice"),
                "delay": 45,
                "auto_execute": False,
                "min_gap_days": 10,
                **email("mail_template_followup_final"),
                "send_letter": True,
                **activity("mail_activity_type_collection_call", self.env._("Final notice sent: call the customer"), 3),
                "stage_id": stage("escalated"),
            },
            {
                "name": self.env._("Escalation"),
                "delay": 60,
                "auto_execute": False,
                "min_gap_days": 10,
                **activity(
                    "mail_activity_type_collection_review", self.env._("Decide: agency, legal action or write-off"), 5
                ),
                "activity_note": Markup("<p>%s</p>")
                % self.env._(
                    "The final notice went unanswered. Review the account and decide whether "
                    "to hand it to a collection agency, start legal action or write it off."
                ),
                "stage_id": stage("escalated"),
            },
        ]

    def _ar_create_default_followup_levels(self):
        """Give each company in ``self`` without follow-up levels the default ladder."""
        # sudo: the ladder of a company being created is set up whatever the creator's
        # allowed companies (the level record rule would refuse a company not yet allowed)
        Level = self.env["ar.followup.level"].sudo().with_context(active_test=False)
        companies_with_levels = Level.search([("company_id", "in", self.ids)]).company_id
        vals_list = []
        for company in self - companies_with_levels:
            vals_list += [dict(vals, company_id=company.id) for vals in company._ar_default_followup_level_vals()]
        return Level.create(vals_list)
