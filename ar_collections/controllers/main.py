# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import http
from odoo.http import content_disposition, request


class ArCollectionsController(http.Controller):
    @http.route("/ar_collections/batch/<int:batch_id>/xlsx", type="http", auth="user")
    def batch_xlsx(self, batch_id):
        batch = request.env["ar.followup.batch"].browse(batch_id)
        batch.check_access("read")
        content = batch._export_xlsx()
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                ("Content-Disposition", content_disposition(f"{batch.name.replace('/', '-')}.xlsx")),
            ],
        )
