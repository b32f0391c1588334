# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# the roles the addon moves customers to by itself: each needs an active stage
REQUIRED_STAGE_TYPES = ("current", "reminded", "escalated", "payment_plan", "disputed")
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
    # CRUD
    # ------------------------------------------------------------------
    def write(self, vals):
        leaving = self.browse()  # the stages that stop playing their role
        if "active" in vals and not vals["active"]:
            leaving |= self.filtered("active")
        if "stage_type" in vals:
            leaving |= self.filtered(lambda s: s.stage_type != (vals["stage_type"] or False))
        leaving._check_removable(archiving=True)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        self._check_removable(archiving=False)

    def _check_removable(self, archiving):
        """A stage customers are in (in any company) cannot be deleted, and the last active
        stage of a role the addon needs cannot be deleted, archived or given another role."""
        if not archiving:
            # the stage is stored per company on the customer (company-dependent, jsonb)
            self.env["res.partner"].flush_model(["ar_collection_stage_id"])
            self.env.cr.execute(
                SQL(
                    "SELECT DISTINCT value::int FROM res_partner, jsonb_each_text(ar_collection_stage_id) "
                    "WHERE ar_collection_stage_id IS NOT NULL AND value::int = ANY(%s)",
                    self.ids,
                )
            )
            used = self.browse(row[0] for row in self.env.cr.fetchall())
            # sudo: levels of every company count, whoever removes the stage
            levels = (
                self.env["ar.followup.level"]
                .sudo()
                .with_context(active_test=False)
                .search([("stage_id", "in", self.ids)])
            )
            if levels:
                raise UserError(
                    self.env._(
                        "Follow-up levels move customers to %(stages)s (%(levels)s): choose another stage on "
                        "them first, or archive the stage instead.",
                        stages=", ".join(levels.stage_id.mapped("name")),
                        levels=", ".join(levels.mapped("name")),
                    )
                )
            if used:
                raise UserError(
                    self.env._(
                        "Customers are in the collection stage %(stages)s: move them to another stage first "
                        "(Customers to Follow Up, grouped by stage), or archive the stage instead.",
                        stages=", ".join(used.mapped("name")),
                    )
                )
        for stage in self.filtered(lambda s: s.active and s.stage_type in REQUIRED_STAGE_TYPES):
            others = self.search_count([("stage_type", "=", stage.stage_type), ("id", "not in", self.ids)], limit=1)
            if not others:
                raise UserError(
                    self.env._(
                        "%(stage)s is the only active stage with the role '%(role)s', which collections move "
                        "customers to: give that role to another stage first.",
                        stage=stage.name,
                        role=dict(self._fields["stage_type"]._description_selection(self.env))[stage.stage_type],
                    )
                )

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    @api.model
    def _get_stage_of_type(self, stage_type):
        """Return the first active stage playing ``stage_type`` (or empty)."""
        return self.search([("stage_type", "=", stage_type)], limit=1)
