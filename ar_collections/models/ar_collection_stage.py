# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models

STAGE_TYPES = [
    ("current", "Current"),
    ("reminded", "Reminded"),
    ("escalated", "Escalated"),
    ("payment_plan", "Payment plan"),
    ("disputed", "Disputed"),
    ("legal", "Agency / legal"),
    ("written_off", "Written off"),
]


class ArCollectionStage(models.Model):
    """A step of the collection process a customer moves through.

    Stages are shared by all companies (like CRM stages); where a customer
    stands is stored per company on the customer. ``stage_type`` tells the
    code which stage plays which role, so users may rename, reorder or add
    stages freely.
    """

    _name = "ar.collection.stage"
    _description = "Collection Stage"
    _order = "sequence, id"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    stage_type = fields.Selection(
        STAGE_TYPES,
        string="Role",
        help="What this stage means to the automations: follow-up levels, "
        "payment plans and disputes move customers to the first active stage "
        "of the matching role.",
    )
    description = fields.Text(translate=True)
    fold = fields.Boolean(
        string="Folded in Kanban",
        help="Fold this column when customers are shown by stage.",
    )
    active = fields.Boolean(default=True)

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    @api.model
    def _get_stage_of_type(self, stage_type):
        """Return the first active stage playing ``stage_type`` (or empty)."""
        return self.search([("stage_type", "=", stage_type)], limit=1)
