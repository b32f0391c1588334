# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        """The merge moves the other contacts' invoices to the kept one in raw SQL, which no
        stored computation sees: decide again the levels due on the kept customer's invoices
        (its exclusion now applies to them)."""
        partners = self.env["res.partner"].browse(partner_ids)
        result = super()._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)
        self.env["account.move"].invalidate_model(["partner_id", "commercial_partner_id"])
        # every company's invoices moved, whatever company the merge was made in
        partners.exists()._ar_recompute_due_levels(companies=self.env["res.company"].sudo().search([]))
        return result
