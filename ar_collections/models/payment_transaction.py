# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo import SUPERUSER_ID, fields, models
from odoo.tools import format_amount


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    ar_statement_access_id = fields.Many2one(
        "ar.statement.access",
        string="Paid from the statement page",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )

    def _post_process(self):
        """A payment made on the customer's statement page, once confirmed and reconciled as
        Odoo does it: the customer's chatter, its collections history and an activity for the
        collector say so, as every action on the page does."""
        result = super()._post_process()
        for tx in self.filtered(lambda t: t.state == "done" and t.ar_statement_access_id and t.payment_id):
            # as OdooBot, as the page's own actions: the payer's user (often the public one) has
            # no email to post with and no rights on the collection records
            access = tx.ar_statement_access_id.with_user(SUPERUSER_ID).with_company(tx.company_id)
            staff = access._staff_env()
            body = staff._(
                "On its statement page, the customer paid %(amount)s for %(moves)s (%(reference)s).",
                amount=format_amount(staff, tx.amount, tx.currency_id),
                moves=", ".join(tx.invoice_ids.mapped("name")),
                reference=tx.reference,
            )
            access._acted(staff._("Customer paid online"), body)
        return result
