# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ar_followup_min_amount = fields.Monetary(
        related="company_id.ar_followup_min_amount", readonly=False, currency_field="currency_id"
    )
