# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.tools import format_amount, format_date


class ReportCustomerStatement(models.AbstractModel):
    """Customer statement of open items, printed as a letter or attached to
    reminders. The statement table is the one the reminder emails show, so
    it gets the same helpers as mail templates."""

    _name = "report.ar_collections.report_customer_statement"
    _description = "Customer Statement"

    @api.model
    def _get_report_values(self, docids, data=None):
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": self.env["res.partner"].browse(docids).commercial_partner_id,
            **report_helpers(self.env),
        }


def report_helpers(env):
    """What the collections reports share with mail templates: date and
    amount formatting in the reader's language, and today's date."""
    return {
        "format_date": lambda value: format_date(env, value),
        "format_amount": lambda amount, currency: format_amount(env, amount, currency),
        "today": fields.Date.context_today(env["res.partner"]),
    }


class ReportPaymentPlan(models.AbstractModel):
    """The payment plan agreement, printed or attached to the proposal email."""

    _name = "report.ar_collections.report_payment_plan"
    _description = "Payment Plan Agreement"

    @api.model
    def _get_report_values(self, docids, data=None):
        return {
            "doc_ids": docids,
            "doc_model": "ar.payment.plan",
            "docs": self.env["ar.payment.plan"].browse(docids),
            **report_helpers(self.env),
        }
