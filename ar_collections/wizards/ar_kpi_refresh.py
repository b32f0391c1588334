# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ArKpiRefresh(models.TransientModel):
    _name = "ar.kpi.refresh"
    _description = "Collections KPIs for a Period"

    date_from = fields.Date(
        string="From", required=True, default=lambda self: fields.Date.context_today(self).replace(day=1)
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)

    def action_compute(self):
        self.ensure_one()
        snapshots = self.env["ar.kpi.snapshot"]._refresh(self.company_id, self.date_from, self.date_to)
        action = self.env["ir.actions.act_window"]._for_xml_id("ar_collections.ar_kpi_snapshot_action")
        action.update(
            domain=[("id", "in", snapshots.ids)],
            context={},
            view_mode="kanban,list,form",
            views=[(False, "kanban"), (False, "list"), (False, "form")],
        )
        return action
