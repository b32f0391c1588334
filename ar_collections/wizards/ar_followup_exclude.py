# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError


class ArFollowupExclude(models.TransientModel):
    """Exclude invoices or customers from follow-ups, saying why."""

    _name = "ar.followup.exclude"
    _description = "Exclude from Follow-ups"

    move_ids = fields.Many2many("account.move", string="Invoices")
    partner_ids = fields.Many2many("res.partner", string="Customers")
    reason = fields.Char(required=True, help="Why these are not to be chased; shown to every collector.")

    def action_exclude(self):
        self.ensure_one()
        if not self.move_ids and not self.partner_ids:
            raise UserError(self.env._("Choose the invoices or customers to exclude from follow-ups."))
        if self.move_ids:
            self.move_ids.write({"ar_excluded": True, "ar_exclusion_reason": self.reason})
        partners = self.partner_ids.commercial_partner_id
        if partners:
            partners.write({"ar_excluded": True, "ar_exclusion_reason": self.reason})
            body = Markup("<p>%s</p>") % self.env._("Excluded from follow-ups: %(reason)s", reason=self.reason)
            for partner in partners:
                partner.message_post(body=body, subtype_xmlid="mail.mt_note")
        return {"type": "ir.actions.act_window_close"}
