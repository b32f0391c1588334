# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError

from .ar_collection_rules import INVOICE_TYPES, OPEN_PAYMENT_STATES
from .common import name_from_sequence


class ArCollectionCase(models.AbstractModel):
    """What payment plans, disputes and promises to pay share: a numbered
    record about some invoices of one customer in one company and currency,
    which pauses their follow-ups while it is in a pausing state.

    Each model declares its own ``move_ids`` (its own relation table) and
    says which of its states pause follow-ups (``_ar_state_groups``) and
    why (``_ar_pause_label``); ``account.move._ar_get_followup_pauses`` asks
    them all.
    """

    _name = "ar.collection.case"
    _description = "Collections Case"

    name = fields.Char(required=True, readonly=True, copy=False, default=lambda self: self.env._("New"))
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, domain="[('parent_id', '=', False)]"
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one("res.currency", required=True, default=lambda self: self.env.company.currency_id)

    @api.model_create_multi
    def create(self, vals_list):
        return super().create(name_from_sequence(self.env, vals_list, self._name))

    # {group: states}: which states of the model mean what to the collection rules
    # (``ar.collection.rules``); "pausing" is the one every case model has
    _ar_state_groups = {}

    @api.model
    def _ar_state_domain(self, group):
        """Domain of the records in one of this model's state groups (``_ar_state_groups``)."""
        return self.env["ar.collection.rules"]._case_state_domain(self._name, group)

    @api.model
    def _ar_pausing_domain(self):
        """Domain of the records that pause their invoices' follow-ups."""
        return self._ar_state_domain("pausing")

    def _ar_pause_label(self):
        """Why this record pauses follow-ups, as the customer may read it."""
        raise NotImplementedError

    @api.model
    def _ar_invoice_problems(self, invoices, partner, company, currency, unpaid=True):
        """What keeps ``invoices`` out of a case of ``partner`` in ``company`` and ``currency``:
        one sentence per invoice (not a posted customer invoice, paid when ``unpaid``, another
        customer's, company's or currency's); an empty list when they all fit."""
        partner = partner.commercial_partner_id
        problems = []
        for move in invoices:
            if move.move_type not in INVOICE_TYPES:
                problems.append(self.env._("%(move)s is not a customer invoice", move=move.display_name))
            elif move.state != "posted":
                problems.append(self.env._("%(move)s is not posted", move=move.display_name))
            elif unpaid and (
                move.payment_state not in OPEN_PAYMENT_STATES or move.currency_id.is_zero(move.amount_residual)
            ):
                problems.append(self.env._("%(move)s is already paid", move=move.display_name))
            elif move.commercial_partner_id != partner:
                problems.append(
                    self.env._(
                        "%(move)s belongs to %(other)s", move=move.display_name, other=move.commercial_partner_id.name
                    )
                )
            elif move.company_id != company:
                problems.append(
                    self.env._(
                        "%(move)s is in company %(company)s", move=move.display_name, company=move.company_id.name
                    )
                )
            elif move.currency_id != currency:
                problems.append(
                    self.env._("%(move)s is in %(currency)s", move=move.display_name, currency=move.currency_id.name)
                )
        if not invoices:
            problems.append(self.env._("no invoice is chosen"))
        return problems

    def _ensure_state(self, states, message):
        """Raise ``message`` naming the records not in ``states``."""
        wrong = self.filtered(lambda record: record.state not in states)
        if wrong:
            raise UserError(
                self.env._("%(message)s (%(records)s)", message=message, records=", ".join(wrong.mapped("name")))
            )
