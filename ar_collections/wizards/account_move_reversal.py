# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..models.ar_collection_rules import RECEIVABLE


class AccountMoveReversal(models.TransientModel):
    _inherit = "account.move.reversal"

    def reverse_moves(self, is_modify=False):
        """Credit notes (and, with *Reverse and Create Invoice*, the new invoices) made to resolve a
        dispute are linked to it and brought to its disputed amount."""
        dispute = self.env["ar.dispute"].browse(self.env.context.get("ar_dispute_id")).exists()
        # only the reversal the dispute opened, of its invoices, while it is open: the key
        # may ride along in the context of what that reversal opens next
        if not dispute.filtered_domain(dispute._ar_pausing_domain()) or not self.move_ids <= dispute.move_ids:
            return super().reverse_moves(is_modify=is_modify)
        if is_modify:
            self._ar_check_modify(dispute)
        # Odoo takes the payments off the invoices to reverse them in full: remembered per
        # invoice, to apply them to its replacement once posted
        paid_by = {
            move: move.line_ids.filtered(
                lambda line: line.account_id.account_type == RECEIVABLE
            ).matched_credit_ids.credit_move_id
            for move in self.move_ids
        }
        # decided before the reversal: with is_modify, Odoo reconciles the invoices in full
        allocation = dispute._credit_allocation(self.move_ids)
        origins = []  # the invoices in the order Odoo copies them (_modify_default_reverse_values)
        earlier_credit_notes = self.move_ids.reversal_move_ids
        action = super(AccountMoveReversal, self.with_context(ar_modify_origins=origins)).reverse_moves(
            is_modify=is_modify
        )
        if is_modify:
            # in that mode Odoo's new_move_ids are the new invoices, created in the order copied
            replacements = dict(zip(origins, self.new_move_ids, strict=True))
            credit_notes = self.move_ids.reversal_move_ids - earlier_credit_notes
            dispute._attach_replacements(credit_notes, replacements, allocation, paid_by)
        else:
            dispute._attach_credit_notes(self.new_move_ids, allocation)
        if action.get("res_id") and not self.env["account.move"].browse(action["res_id"]).exists():
            # the one new invoice was not kept (the whole of it was disputed): show the dispute
            return dispute._get_records_action()
        return action

    def _ar_check_modify(self, dispute):
        """*Reverse and Create Invoice* cancels the disputed invoices in full and bills again: refused
        where it would leave the customer's matters wrong, with the way out."""
        today = fields.Date.context_today(self)
        if self.date and self.date > today:
            raise UserError(
                self.env._(
                    "Dispute %(dispute)s: 'Reverse and Create Invoice' dated %(date)s would leave the invoices "
                    "open until then. Date the reversal today or earlier, or use 'Reverse'.",
                    dispute=dispute.name,
                    date=format_date(self.env, self.date),
                )
            )
        cases = [
            case
            for model in ("ar.payment.plan", "ar.payment.promise")
            # sudo: a plan or promise of these invoices counts whoever resolves the dispute
            for case in self.env[model]
            .sudo()
            .search(self.env[model]._ar_pausing_domain() + [("move_ids", "in", self.move_ids.ids)])
        ]
        if cases:
            raise UserError(
                self.env._(
                    "Dispute %(dispute)s: %(cases)s still covers these invoices; 'Reverse and Create Invoice' "
                    "would mark it paid. Use 'Reverse' (a credit note of the disputed amount), or cancel it first.",
                    dispute=dispute.name,
                    cases=", ".join(case.display_name for case in cases),
                )
            )

    def _modify_default_reverse_values(self, origin_move):
        origins = self.env.context.get("ar_modify_origins")
        if origins is not None:
            origins.append(origin_move)
        return super()._modify_default_reverse_values(origin_move)
