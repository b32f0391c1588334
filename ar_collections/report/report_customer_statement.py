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
        partners = self.env["res.partner"].browse(docids).commercial_partner_id
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": partners,
            "aging_summary": self._aging_summaries(partners).get,
            **report_helpers(self.env),
        }

    @api.model
    def _aging_summaries(self, partners):
        """``{partner: [{key, label, amount}]}``, each customer in its collections company."""
        Aging = self.env["ar.aging.report"]
        summaries = {}
        for company in partners.ar_company_id or self.env.company:
            summaries.update(
                Aging._bucket_summaries(partners.filtered(lambda p, c=company: (p.ar_company_id or c) == c), company)
            )
        return summaries


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
