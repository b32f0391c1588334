# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models

from .ar_collection_rules import INVOICE_TYPES


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    def unlink(self):
        """Unreconciling (by hand, a payment reset to draft or cancelled, a bounced cheque)
        reopens the payment plans it had completed and the promises it had kept. Decided when
        the transaction commits: Odoo unreconciles and reconciles again in one go (reversals),
        which must not reopen anything."""
        moves = (self.debit_move_id | self.credit_move_id).move_id.filtered(lambda m: m.move_type in INVOICE_TYPES)
        result = super().unlink()
        if moves:
            pending = self.env.cr.precommit.data.setdefault("ar_unreconciled_move_ids", set())
            if not pending:
                self.env.cr.precommit.add(self._ar_after_unreconcile)
            pending.update(moves.ids)
        return result

    def _ar_after_unreconcile(self):
        move_ids = self.env.cr.precommit.data.pop("ar_unreconciled_move_ids", set())
        moves = self.env["account.move"].browse(move_ids).exists().filtered(lambda m: m.state == "posted")
        if moves:
            self.env["ar.payment.plan"]._ar_check_moves_unpaid(moves)
            self.env["ar.payment.promise"]._ar_check_moves_unpaid(moves)
            self.env.flush_all()
