# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

INSTALLMENT_STATES = [
    ("pending", "Pending"),
    ("partial", "Partially paid"),
    ("paid", "Paid"),
    ("late", "Late"),
]
# the last installment of a plan at most ten years after its first payment
MAX_SCHEDULE_DAYS = 10 * 366


class ArPaymentPlanInstallment(models.Model):
    """One payment the customer agreed to make.

    ``amount_paid`` is allocated from the plan's paid amount (itself derived
    from the covered invoices' residuals) to the installments in due order:
    the earliest installment is filled first. ``late_since`` is set by the
    daily plan job once the grace period has passed.
    """

    _name = "ar.payment.plan.installment"
    _description = "Payment Plan Installment"
    _order = "plan_id, date_due, sequence, id"

    plan_id = fields.Many2one("ar.payment.plan", required=True, ondelete="cascade", index=True, check_company=True)
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    partner_id = fields.Many2one(related="plan_id.partner_id", string="Customer")
    plan_state = fields.Selection(related="plan_id.state", string="Plan status")
    sequence = fields.Integer(default=10)
    is_down_payment = fields.Boolean(string="Down payment")
    date_due = fields.Date(string="Due on", required=True)
    amount = fields.Monetary(required=True)
    amount_paid = fields.Monetary(string="Paid", compute="_compute_amount_paid", store=True)
    late_since = fields.Date(readonly=True, copy=False, help="Set by the daily job once the grace period has passed.")
    state = fields.Selection(INSTALLMENT_STATES, compute="_compute_state", store=True, index=True, string="Status")

    @api.depends(
        "plan_id.amount_paid",
        "plan_id.installment_ids.amount",
        "plan_id.installment_ids.date_due",
        "plan_id.installment_ids.sequence",
    )
    def _compute_amount_paid(self):
        for plan in self.plan_id:
            left = plan.amount_paid
            for installment in plan.installment_ids.sorted(lambda i: (i.date_due, i.sequence, i.id)):
                paid = plan.currency_id.round(min(installment.amount, max(left, 0.0)))
                left -= paid
                if installment in self:
                    installment.amount_paid = paid
        self.filtered(lambda i: not i.plan_id).amount_paid = 0.0

    @api.depends("amount", "amount_paid", "late_since")
    def _compute_state(self):
        for installment in self:
            currency = installment.currency_id or installment.env.company.currency_id
            if currency.compare_amounts(installment.amount_paid, installment.amount) >= 0:
                installment.state = "paid"
            elif installment.late_since:
                installment.state = "late"
            elif currency.compare_amounts(installment.amount_paid, 0.0) > 0:
                installment.state = "partial"
            else:
                installment.state = "pending"

    @api.constrains("amount", "date_due")
    def _check_amount_and_date(self):
        for installment in self:
            plan = installment.plan_id
            if installment.currency_id.compare_amounts(installment.amount, 0.0) <= 0:
                raise ValidationError(
                    self.env._(
                        "Every installment of %(plan)s must be more than 0 (the one due on %(date)s is %(amount)s): "
                        "remove it or give it an amount.",
                        plan=plan.display_name,
                        date=installment.date_due,
                        amount=installment.currency_id.format(installment.amount),
                    )
                )
            latest = max(plan.first_date, fields.Date.context_today(self)) + timedelta(days=MAX_SCHEDULE_DAYS)
            if installment.date_due > latest:
                raise ValidationError(
                    self.env._(
                        "An installment of %(plan)s is due on %(date)s, more than ten years after the plan's first "
                        "payment: check the year of its date.",
                        plan=plan.display_name,
                        date=installment.date_due,
                    )
                )

    def write(self, vals):
        self.plan_id._ensure_editable_schedule(vals)
        result = super().write(vals)
        self._check_plan_schedule()
        return result

    @api.model_create_multi
    def create(self, vals_list):
        plans = self.env["ar.payment.plan"].browse([vals.get("plan_id") for vals in vals_list])
        plans._ensure_editable_schedule(vals_list[0] if vals_list else {})
        installments = super().create(vals_list)
        installments._check_plan_schedule()
        return installments

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        self.plan_id._ensure_editable_schedule({"amount": True}, states=("draft", "cancelled"))

    def _check_plan_schedule(self):
        """An installment changed on its own must keep its plan's schedule
        whole; changes made through the plan are checked once, by the plan."""
        if not self.env.context.get("ar_plan_schedule_write"):
            self.plan_id._check_schedule_total()
