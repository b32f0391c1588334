# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ar_followup_min_amount = fields.Monetary(
        related="company_id.ar_followup_min_amount", readonly=False, currency_field="currency_id"
    )
    ar_payment_plan_grace_days = fields.Integer(related="company_id.ar_payment_plan_grace_days", readonly=False)
    ar_payment_plan_max_missed = fields.Integer(related="company_id.ar_payment_plan_max_missed", readonly=False)
    ar_payment_plan_break_level_id = fields.Many2one(
        related="company_id.ar_payment_plan_break_level_id", readonly=False
    )
    ar_promise_grace_days = fields.Integer(related="company_id.ar_promise_grace_days", readonly=False)
    ar_promise_max_days = fields.Integer(related="company_id.ar_promise_max_days", readonly=False)
    ar_promise_broken_next_level = fields.Boolean(related="company_id.ar_promise_broken_next_level", readonly=False)
    ar_credit_hold_score = fields.Integer(related="company_id.ar_credit_hold_score", readonly=False)
    ar_credit_hold_overdue = fields.Monetary(
        related="company_id.ar_credit_hold_overdue", readonly=False, currency_field="currency_id"
    )
    ar_credit_hold_mode = fields.Selection(related="company_id.ar_credit_hold_mode", readonly=False)
    ar_portal_link_days = fields.Integer(related="company_id.ar_portal_link_days", readonly=False)
    ar_portal_daily_limit = fields.Integer(related="company_id.ar_portal_daily_limit", readonly=False)
    ar_portal_user_id = fields.Many2one(related="company_id.ar_portal_user_id", readonly=False)
