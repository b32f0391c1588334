# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _ar_writes_contacts(self):
        """Whether an access right other than ar_collections' own lets this user write contacts
        (ours grants writing their collection fields only, see ``res.partner.write``)."""
        self.ensure_one()
        ours = self.env.ref("ar_collections.access_res_partner_ar_collections_user", raise_if_not_found=False)
        # sudo: access rights are read to decide, as Odoo's own access check reads them
        return bool(
            self.env["ir.model.access"]
            .sudo()
            .search_count(
                [
                    ("model_id.model", "=", "res.partner"),
                    ("perm_write", "=", True),
                    ("id", "!=", ours.id if ours else 0),
                    "|",
                    ("group_id", "=", False),
                    ("group_id", "in", self.groups_id.ids),
                ],
                limit=1,
            )
        )
