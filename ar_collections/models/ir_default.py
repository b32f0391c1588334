# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models


class IrDefault(models.Model):
    _inherit = "ir.default"

    @api.model_create_multi
    def create(self, vals_list):
        defaults = super().create(vals_list)
        defaults._ar_refresh_exclusion_defaults()
        return defaults

    def write(self, vals):
        self._ar_refresh_exclusion_defaults()  # the companies it held for before
        result = super().write(vals)
        self._ar_refresh_exclusion_defaults()
        return result

    def unlink(self):
        refresh = self._ar_exclusion_companies()
        result = super().unlink()
        if refresh is not None:
            self.env["account.move"]._ar_refresh_due_levels(refresh)
        return result

    def _ar_exclusion_companies(self):
        """The companies whose customers' exclusion default is among these records (every
        company for a default of no company), or None when none is."""
        field = self.env["ir.model.fields"]._get("res.partner", "ar_excluded")
        defaults = self.sudo().filtered(lambda default: default.field_id == field)
        if not defaults:
            return None
        if not all(defaults.mapped("company_id")):
            # sudo: a default of every company changes what is due in each of them
            return self.env["res.company"].sudo().search([]).ids
        return defaults.company_id.ids

    def _ar_refresh_exclusion_defaults(self):
        """The company default of the customer exclusion changes what is due on the invoices
        of every customer without a value of its own: decide again in those companies."""
        companies = self._ar_exclusion_companies()
        if companies is not None:
            self.env["account.move"]._ar_refresh_due_levels(companies)
