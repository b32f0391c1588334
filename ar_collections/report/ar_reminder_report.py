# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.tools import SQL

PAID_WITHIN_DAYS = 14


class ArReminderReport(models.Model):
    """Reminders sent and whether they worked: one row per invoice reminded
    at a level (its first email or letter at that level), with whether the
    invoice was paid in full within 14 days.

    ``paid_within`` is 100 (paid), 0 (not paid) or empty while the 14 days
    have not passed yet; its average is the share of reminders that got
    paid, over the reminders old enough to tell.
    """

    _name = "ar.reminder.report"
    _description = "Reminder Effectiveness"
    _auto = False
    _order = "date desc, id desc"

    date = fields.Date(string="Sent on", readonly=True)
    level_id = fields.Many2one("ar.followup.level", readonly=True)
    channel = fields.Selection([("email", "Email"), ("letter", "Letter / statement")], readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    company_currency_id = fields.Many2one("res.currency", string="Company currency", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)
    amount_residual = fields.Monetary(string="Amount reminded", currency_field="company_currency_id", readonly=True)
    reminder_count = fields.Integer(string="Reminders", readonly=True)
    paid_on = fields.Date(string="Paid on", readonly=True)
    paid_within = fields.Float(
        string="Paid within 14 days (%)",
        readonly=True,
        aggregator="avg",
        help="100 when the invoice was paid in full within 14 days of the reminder, 0 when not; "
        "empty while the 14 days are not over.",
    )

    @property
    def _table_query(self):
        return self._reminder_query(fields.Date.context_today(self), self.env.companies.ids)

    @api.model
    def _reminder_query(self, today, company_ids):
        self.env["ar.followup.history.line"].flush_model()
        self.env["res.partner"].flush_model(["ar_collector_id"])
        return SQL(
            """
            SELECT reminder.id, reminder.date, reminder.level_id, reminder.channel, reminder.move_id,
                   reminder.partner_id, reminder.company_id, company.currency_id AS company_currency_id,
                   (customer.ar_collector_id ->> reminder.company_id::text)::integer AS collector_id,
                   reminder.amount_residual, 1 AS reminder_count, paid.paid_on,
                   CASE WHEN paid.paid_on <= reminder.date + %(days)s THEN 100.0
                        WHEN reminder.date + %(days)s <= %(today)s THEN 0.0 END AS paid_within
              FROM (
                    SELECT DISTINCT ON (line.move_id, line.level_id)
                           line.id,
                           (line.date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date AS date,
                           line.level_id, line.channel, line.move_id,
                           line.partner_id, line.company_id, line.amount_residual
                      FROM ar_followup_history_line line
                     WHERE line.level_id IS NOT NULL
                       AND line.channel IN ('email', 'letter')
                       AND line.outcome IN ('sent', 'printed')
                       AND line.company_id = ANY(%(company_ids)s)
                  ORDER BY line.move_id, line.level_id, line.date, line.id
                   ) reminder
              JOIN res_company company ON company.id = reminder.company_id
              JOIN res_partner customer ON customer.id = reminder.partner_id
         LEFT JOIN (
                    SELECT move_id, MAX(paid_on) AS paid_on FROM (%(paid)s) paid_line GROUP BY move_id
                   ) paid ON paid.move_id = reminder.move_id
            """,
            days=PAID_WITHIN_DAYS,
            tz=self.env.context.get("tz") or self.env.user.tz or "UTC",
            today=today,
            company_ids=list(company_ids),
            paid=self.env["ar.collection.rules"]._paid_invoices_query(company_ids),
        )
