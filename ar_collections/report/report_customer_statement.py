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
        env = self.env
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": env["res.partner"].browse(docids).commercial_partner_id,
            "format_date": lambda value: format_date(env, value),
            "format_amount": lambda amount, currency: format_amount(env, amount, currency),
            "today": fields.Date.context_today(self),
        }
