# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models

from ..models.ar_collection_rules import OPEN_INVOICE_TERMS
from ..models.ar_payment_plan import FREQUENCIES, build_schedule
from ..models.common import wizard_action


class ArPaymentPlanWizard(models.TransientModel):
    """Offer a payment plan: choose invoices and terms, preview the
    schedule, create the plan in draft."""

    _name = "ar.payment.plan.wizard"
    _description = "Offer a Payment Plan"
    _check_company_auto = True

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one("res.currency", required=True, default=lambda self: self.env.company.currency_id)
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        check_company=True,
        domain=f"[('commercial_partner_id', '=', partner_id), {OPEN_INVOICE_TERMS}, ('currency_id', '=', currency_id)]",
    )
    amount_invoices = fields.Monetary(string="Invoices balance", compute="_compute_amounts")
    fee_amount = fields.Monetary(string="Plan fee")
    amount_total = fields.Monetary(string="Total", compute="_compute_amounts")
    down_payment = fields.Monetary()
    installment_count = fields.Integer(string="Installments", default=4)
    frequency = fields.Selection(FREQUENCIES, default="monthly", required=True)
    first_date = fields.Date(
        string="First payment on",
        required=True,
        default=lambda self: fields.Date.context_today(self) + timedelta(days=7),
    )
    schedule_preview = fields.Html(compute="_compute_schedule_preview", sanitize=False)

    @api.depends("move_ids", "fee_amount")
    def _compute_amounts(self):
        for wizard in self:
            wizard.amount_invoices = wizard.currency_id.round(sum(wizard.move_ids.mapped("amount_residual")))
            wizard.amount_total = wizard.amount_invoices + wizard.fee_amount

    @api.depends("amount_total", "down_payment", "installment_count", "frequency", "first_date")
    def _compute_schedule_preview(self):
        for wizard in self:
            currency = wizard.currency_id
            if (
                not wizard.first_date
                or wizard.installment_count <= 0
                or currency.compare_amounts(wizard.amount_total, 0.0) <= 0
                or currency.compare_amounts(wizard.down_payment, 0.0) < 0
                or currency.compare_amounts(wizard.down_payment, wizard.amount_total) >= 0
            ):
                wizard.schedule_preview = Markup("<p class='text-muted'>%s</p>") % self.env._(
                    "Choose invoices, a number of installments and a down payment below the total to see the schedule."
                )
                continue
            schedule = build_schedule(
                currency,
                wizard.amount_total,
                wizard.down_payment,
                wizard.installment_count,
                wizard.frequency,
                wizard.first_date,
            )
            rows = Markup("").join(
                Markup("<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td></tr>")
                % (
                    self.env._("Down payment") if down else str(index if schedule[0][2] else index + 1),
                    fields.Date.to_string(day),
                    currency.format(amount),
                )
                for index, (day, amount, down) in enumerate(schedule)
            )
            wizard.schedule_preview = Markup(
                "<table class='table table-sm o_ar_plan_preview'><thead><tr><th>%s</th><th>%s</th>"
                "<th class='text-end'>%s</th></tr></thead><tbody>%s</tbody></table>"
            ) % (self.env._("Installment"), self.env._("Due on"), self.env._("Amount"), rows)

    @api.model
    def _open_for(self, partner, company, invoices=None):
        """The wizard for ``partner`` in ``company``: the selected invoices,
        else all its open invoices not already on a plan."""
        partner = partner.commercial_partner_id
        invoices = invoices or self.env["account.move"]
        if not invoices:
            invoices = self.env["account.move"].search(
                [("commercial_partner_id", "=", partner.id), ("currency_id", "=", company.currency_id.id)]
                + self.env["ar.collection.rules"]._open_invoice_domain(company),
                order="invoice_date_due, id",
            )
            held = self.env["ar.payment.plan"].search(
                [("move_ids", "in", invoices.ids)]
                + self.env["ar.collection.rules"]._case_state_domain("ar.payment.plan", "holding")
            )
            invoices -= held.move_ids
        currency = invoices.currency_id if len(invoices.currency_id) == 1 else company.currency_id
        return wizard_action(
            self.env._("Offer a payment plan"),
            self._name,
            {
                "default_partner_id": partner.id,
                "default_company_id": company.id,
                "default_currency_id": currency.id,
                "default_move_ids": invoices.ids,
            },
        )

    def action_create_plan(self):
        """Create the plan in draft with the previewed schedule and open it."""
        self.ensure_one()
        # the plan's constraints check the invoices; its schedule is built as the preview's
        plan = (
            self.env["ar.payment.plan"]
            .with_company(self.company_id)
            .create(
                {
                    "partner_id": self.partner_id.commercial_partner_id.id,
                    "company_id": self.company_id.id,
                    "currency_id": self.currency_id.id,
                    "move_ids": [fields.Command.set(self.move_ids.ids)],
                    "fee_amount": self.fee_amount,
                    "down_payment": self.down_payment,
                    "installment_count": self.installment_count,
                    "frequency": self.frequency,
                    "first_date": self.first_date,
                    "user_id": (self.partner_id.with_company(self.company_id).ar_collector_id or self.env.user).id,
                }
            )
        )
        plan._reset_schedule(self.move_ids)
        return {
            "type": "ir.actions.act_window",
            "res_model": "ar.payment.plan",
            "res_id": plan.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
