# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models

from .ar_collection_rules import INVOICE_TYPES


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def _reconcile_plan(self, reconciliation_plan):
        """Payment plans complete, and promises to pay are kept, as soon as a
        reconciliation (payment, bank matching, credit note) pays them."""
        result = super()._reconcile_plan(reconciliation_plan)
        lines = self.browse()
        pending = list(reconciliation_plan)
        while pending:
            item = pending.pop()
            if isinstance(item, (list, tuple)):
                pending.extend(item)
            else:
                lines |= item
        moves = lines.move_id.filtered(lambda m: m.move_type in INVOICE_TYPES)
        if moves:
            self.env["ar.payment.plan"]._ar_check_moves_paid(moves)
            self.env["ar.payment.promise"]._ar_check_moves_paid(moves)
        return result
