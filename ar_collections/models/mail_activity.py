# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    ar_plan_request_access_id = fields.Many2one(
        "ar.statement.access",
        string="Payment plan asked from",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The customer's statement page (customer and company) from which this payment plan was asked for: "
        "while the activity is open, the page says the request is being dealt with.",
    )
