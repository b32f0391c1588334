# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class ArFollowupHistoryLine(models.Model):
    """An invoice covered by a follow-up action, with the level applied to it
    and what it owed at the time.

    A unique index on (invoice, level, channel), for lines that carry a
    level, makes the database itself refuse to apply a level to an invoice
    twice through the same channel, whatever runs concurrently.
    """

    _name = "ar.followup.history.line"
    _description = "Follow-up History Line"
    _order = "date desc, id desc"
    _check_company_auto = True

    history_id = fields.Many2one("ar.followup.history", required=True, index=True, ondelete="cascade", readonly=True)
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        index=True,
        ondelete="restrict",
        readonly=True,
        check_company=True,
    )
    level_id = fields.Many2one(
        "ar.followup.level",
        string="Level applied",
        readonly=True,
        ondelete="restrict",
        check_company=True,
    )
    partner_id = fields.Many2one(related="history_id.partner_id", store=True, index=True)
    company_id = fields.Many2one(related="history_id.company_id", store=True, index=True)
    channel = fields.Selection(related="history_id.channel", store=True)
    outcome = fields.Selection(related="history_id.outcome", store=True)
    date = fields.Datetime(related="history_id.date", store=True)
    user_id = fields.Many2one(related="history_id.user_id", store=True)
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company currency")
    currency_id = fields.Many2one(related="move_id.currency_id", string="Invoice currency")
    amount_residual = fields.Monetary(
        string="Amount due",
        currency_field="company_currency_id",
        readonly=True,
        help="Residual in company currency when the action was taken.",
    )
    amount_residual_currency = fields.Monetary(
        string="Amount due (invoice currency)",
        currency_field="currency_id",
        readonly=True,
    )
    days_overdue = fields.Integer(readonly=True)

    def init(self):
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (move_id, level_id, channel) WHERE level_id IS NOT NULL",
                SQL.identifier("ar_followup_history_line_level_once_uniq"),
                SQL.identifier(self._table),
            )
        )

    @api.depends("move_id", "level_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = " - ".join(filter(None, (line.move_id.name, line.level_id.name)))

    def write(self, vals):
        if self:
            raise UserError(
                self.env._("Follow-up history is an audit trail and cannot be changed. Record a new action instead.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_audit_trail(self):
        raise UserError(self.env._("Follow-up history is an audit trail and cannot be deleted."))
