# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64

from odoo import fields, models

from ..report.ar_aging_xlsx import build_aging_xlsx
from ..report.ar_cash_forecast_xlsx import build_forecast_xlsx

BUILDERS = {"aging": build_aging_xlsx, "forecast": build_forecast_xlsx}


class ArCollectionsExport(models.TransientModel):
    _name = "ar.collections.export"
    _description = "Collections XLSX Export"

    report = fields.Selection(
        [("aging", "Aged receivables"), ("forecast", "Cash-in forecast (13 weeks)")],
        required=True,
        default="aging",
    )
    date = fields.Date(
        string="As of", required=True, default=fields.Date.context_today, help="Aging on / forecast from this day."
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    include_detail = fields.Boolean(string="Detail sheet", default=True, help="Add a sheet listing every item.")
    file = fields.Binary(readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)

    def action_export(self):
        self.ensure_one()
        content = BUILDERS[self.report](self.env, self.company_id, self.date, detail=self.include_detail)
        label = dict(self._fields["report"]._description_selection(self.env))[self.report]
        self.write(
            {
                "file": base64.b64encode(content),
                "file_name": f"{label} - {self.company_id.name} - {self.date}.xlsx".replace("/", "-"),
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/file/{self.file_name}?download=true",
            "target": "self",
        }
