# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ArDisputeReason(models.Model):
    _name = "ar.dispute.reason"
    _description = "Dispute Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    response_days = fields.Integer(
        string="Response time (days)",
        default=14,
        help="The deadline of a new dispute with this reason is this many days after it was opened.",
    )
    active = fields.Boolean(default=True)

    @api.constrains("response_days")
    def _check_response_days(self):
        for reason in self:
            if not 0 <= reason.response_days <= 365:
                raise ValidationError(
                    self.env._(
                        "Dispute reason '%(reason)s': the response time is 0 to 365 days; it is %(days)s.",
                        reason=reason.name,
                        days=reason.response_days,
                    )
                )
