# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.ar_collection_rules import OPEN_INVOICE_TERMS
from ..models.ar_followup_history import OUTCOMES

CALL_OUTCOMES = [(key, label) for key, label in OUTCOMES if key not in ("sent", "printed", "scheduled")]


class ArFollowupLogCall(models.TransientModel):
    """Log a phone call with a customer about its invoices: the outcome goes
    to the follow-up history, the pending call activities are marked done,
    and a next call can be scheduled in the same step."""

    _name = "ar.followup.log.call"
    _description = "Log a Collection Call"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices discussed",
        check_company=True,
        domain=f"[('commercial_partner_id', '=', partner_id), {OPEN_INVOICE_TERMS}]",
    )
    outcome = fields.Selection(CALL_OUTCOMES, required=True, default="reached")
    note = fields.Html(string="What was said")
    promise = fields.Boolean(string="Customer promised to pay")
    promise_date = fields.Date(string="Promised date")
    promise_amount = fields.Monetary(string="Promised amount", currency_field="currency_id")
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    next_call_date = fields.Date(string="Call again on")
    next_call_user_id = fields.Many2one(
        "res.users", string="Call again by", default=lambda self: self.env.user, domain="[('share', '=', False)]"
    )

    @api.depends("move_ids", "company_id")
    def _compute_currency_id(self):
        for wizard in self:
            wizard.currency_id = wizard.move_ids.currency_id[:1] or wizard.company_id.currency_id

    @api.onchange("promise", "move_ids")
    def _onchange_promise(self):
        if self.promise and not self.promise_amount:
            self.promise_amount = sum(self.move_ids.mapped("amount_residual"))

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        self.move_ids = self.move_ids.filtered(
            lambda m: m.commercial_partner_id == self.partner_id.commercial_partner_id
        )

    def action_log(self):
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        foreign = self.move_ids.filtered(lambda m: m.commercial_partner_id != partner)
        if foreign:
            raise UserError(
                self.env._(
                    "Invoices %(invoices)s are not %(customer)s's: log the call on their own customer.",
                    invoices=", ".join(foreign.mapped("name")),
                    customer=partner.name,
                )
            )
        if self.next_call_date and self.next_call_date < fields.Date.context_today(self):
            raise UserError(
                self.env._(
                    "The next call date %(date)s is in the past: choose today or later.", date=self.next_call_date
                )
            )
        self._record_promise(partner)
        History = self.env["ar.followup.history"].with_company(self.company_id)
        history = History._record(
            partner,
            "call",
            self.outcome,
            dict.fromkeys(self.move_ids, self.env["ar.followup.level"]),
            note=self.note,
            company=self.company_id,
        )
        self._close_call_activities(partner, history)
        if self.next_call_date:
            partner.activity_schedule(
                "ar_collections.mail_activity_type_collection_call",
                date_deadline=self.next_call_date,
                summary=self.env._("Call back about overdue invoices"),
                user_id=self.next_call_user_id.id or self.env.user.id,
            )
        return {"type": "ir.actions.act_window_close"}

    def _record_promise(self, partner):
        """The promise to pay made during the call, if any."""
        if not self.promise:
            return self.env["ar.payment.promise"]
        if not self.move_ids or not self.promise_date:
            raise UserError(
                self.env._("To record the promise, choose the invoices discussed and the date the customer will pay.")
            )
        return (
            self.env["ar.payment.promise"]
            .with_company(self.company_id)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": self.company_id.id,
                    "currency_id": self.currency_id.id,
                    "move_ids": [fields.Command.set(self.move_ids.ids)],
                    "promised_date": self.promise_date,
                    "amount": self.promise_amount,
                    "channel": "call",
                    "note": self.note,
                }
            )
        )

    def _close_call_activities(self, partner, history):
        """Mark the caller's pending collection calls to this customer as done with the outcome."""
        call_type = self.env.ref("ar_collections.mail_activity_type_collection_call", raise_if_not_found=False)
        if not call_type:
            return
        activities = partner.activity_ids.filtered(
            lambda a: a.activity_type_id == call_type and a.user_id == self.env.user
        )
        if activities:
            activities.action_feedback(feedback=Markup("%s") % history._get_summary())
