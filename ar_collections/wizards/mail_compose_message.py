# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    def _action_send_mail(self, auto_commit=False):
        """Record a reminder sent from an invoice ("Send reminder") in the
        follow-up history, once the message is really posted.

        The levels applied are decided again now, not when the composer
        opened (a batch may have applied them in between), and follow the
        template really sent (see ``ar.followup.level._levels_applied``).
        A level the message would apply a second time is refused before
        anything is sent, with a message naming the invoice and the level.
        """
        move_ids = self.env.context.get("ar_followup_move_ids")
        if move_ids is None:
            return super()._action_send_mail(auto_commit=auto_commit)
        History = self.env["ar.followup.history"]
        applied = self._ar_levels_applied(self.env["account.move"].browse(move_ids).exists())
        for invoice_levels in applied.values():
            twice = History._already_applied(invoice_levels, "email")
            if len(twice) < len([level for level in invoice_levels.values() if level]):
                # invoices riding along a message that applies a new level to others: they are
                # listed in it and record no level (they had this one already)
                invoice_levels.update((move, self.env["ar.followup.level"]) for move, _level in twice)
            History._check_not_applied(invoice_levels, "email")
        result_mails_su, result_messages = super()._action_send_mail(auto_commit=auto_commit)
        for message in result_messages.filtered(lambda m: m.model == "res.partner"):
            partner = self.env["res.partner"].browse(message.res_id)
            invoice_levels = applied.get(partner.commercial_partner_id, {})
            History._record(
                partner,
                "email",
                "sent",
                invoice_levels,
                message=message,
                company=self.env["account.move"].union(*invoice_levels).company_id[:1] or None,
            )
        return result_mails_su, result_messages

    def _ar_levels_applied(self, invoices):
        """``{customer: {invoice: level or empty}}``: what sending this composer's template
        applies to each of ``invoices`` still followed up, per commercial partner."""
        invoices = invoices.filtered(self.env["ar.collection.rules"]._is_open_invoice)
        Level = self.env["ar.followup.level"]
        due = Level._get_due_levels(invoices, fields.Date.context_today(self))
        # the levels sending this template, most advanced first: one query for every customer
        template_levels = Level.search(
            [("mail_template_id", "=", self.template_id.id), ("company_id", "in", invoices.company_id.ids)],
            order="delay desc",
        )
        applied = {}
        for partner in invoices.commercial_partner_id:
            partner_invoices = invoices.filtered(lambda m, p=partner: m.commercial_partner_id == p)
            sent_level = template_levels.filtered(lambda level, i=partner_invoices: level.company_id in i.company_id)[
                :1
            ]
            levels = Level._levels_applied({inv: due[inv.id][0] for inv in partner_invoices}, sent_level)
            applied[partner] = {invoice: levels.get(invoice, Level) for invoice in partner_invoices}
        return applied
