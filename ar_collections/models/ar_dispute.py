# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .ar_collection_rules import RECEIVABLE

DISPUTE_STATES = [
    ("new", "New"),
    ("investigating", "Investigating"),
    ("resolved", "Resolved"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
]
OPEN_DISPUTE_STATES = ("new", "investigating")
OUTCOMES = [
    ("credit", "In the customer's favour: credit note"),
    ("settled", "Settled otherwise (goods replaced, delivery proven...)"),
]


class ArDispute(models.Model):
    """A customer's objection to some invoices.

    While it is open (new or investigating) the invoices are paused in
    follow-ups (see ``account.move._ar_get_followup_pauses``) and reminders
    list them as disputed. Resolving it in the customer's favour goes
    through Odoo's own reversal wizard; the credit notes are linked here.
    """

    _name = "ar.dispute"
    _description = "Invoice Dispute"
    _inherit = ["ar.collection.case", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True
    _ar_state_groups = {
        "pausing": OPEN_DISPUTE_STATES,
        "decided": ("resolved", "rejected"),
        "cancelled": ("cancelled",),
    }

    partner_id = fields.Many2one(tracking=True)
    move_ids = fields.Many2many(
        "account.move",
        "ar_dispute_account_move_rel",
        "dispute_id",
        "move_id",
        string="Invoices",
        required=True,
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'), "
        "('state', '=', 'posted'), ('currency_id', '=', currency_id)]",
    )
    amount = fields.Monetary(string="Disputed amount", required=True, tracking=True)
    amount_residual = fields.Monetary(
        string="Invoices balance", compute="_compute_amount_residual", help="What the invoices still owe."
    )
    reason_id = fields.Many2one("ar.dispute.reason", required=True, tracking=True)
    portal_access_id = fields.Many2one(
        "ar.statement.access", string="Opened on the statement page", readonly=True, index="btree_not_null", copy=False
    )
    description = fields.Html(help="What the customer says is wrong.")
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        tracking=True,
    )
    date_opened = fields.Date(default=fields.Date.context_today, required=True, readonly=True)
    date_deadline = fields.Date(
        string="Respond by",
        compute="_compute_date_deadline",
        store=True,
        readonly=False,
        tracking=True,
    )
    date_closed = fields.Date(readonly=True, copy=False)
    resolution_days = fields.Integer(
        string="Days to resolve", compute="_compute_resolution_days", store=True, aggregator="avg"
    )
    state = fields.Selection(
        DISPUTE_STATES,
        default="new",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        group_expand="_group_expand_states",
    )
    outcome = fields.Selection(OUTCOMES, copy=False, tracking=True)
    resolution = fields.Html(copy=False, help="What was found and decided.")
    credit_note_ids = fields.Many2many(
        "account.move",
        "ar_dispute_credit_note_rel",
        "dispute_id",
        "move_id",
        string="Credit notes",
        readonly=True,
        copy=False,
        check_company=True,
    )
    replacement_invoice_ids = fields.Many2many(
        "account.move",
        "ar_dispute_replacement_invoice_rel",
        "dispute_id",
        "move_id",
        string="Replacement invoices",
        readonly=True,
        copy=False,
        help="Made by 'Reverse and Create Invoice': each replaces a disputed invoice, less its disputed amount.",
        check_company=True,
    )
    reapply_payments = fields.Json(
        readonly=True,
        copy=False,
        help="{replacement invoice id: ids of the payment lines Odoo took off the invoice it replaces}: "
        "'Reverse and Create Invoice' reverses the disputed invoices in full; their payments are applied "
        "to their replacements when these are posted.",
    )
    previous_stage_id = fields.Many2one("ar.collection.stage", readonly=True, copy=False)
    deadline_notified = fields.Boolean(readonly=True, copy=False)
    color = fields.Integer(compute="_compute_color")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.model
    def _group_expand_states(self, states, domain):
        return [key for key, _label in DISPUTE_STATES]

    @api.depends("move_ids.amount_residual")
    def _compute_amount_residual(self):
        for dispute in self:
            dispute.amount_residual = sum(dispute.move_ids.mapped("amount_residual"))

    @api.depends("reason_id", "date_opened")
    def _compute_date_deadline(self):
        for dispute in self:
            opened = dispute.date_opened or fields.Date.context_today(dispute)
            dispute.date_deadline = opened + timedelta(days=dispute.reason_id.response_days)

    @api.depends("date_opened", "date_closed", "state")
    def _compute_resolution_days(self):
        for dispute in self:
            if dispute.state in ("resolved", "rejected") and dispute.date_closed:
                dispute.resolution_days = (dispute.date_closed - dispute.date_opened).days
            else:
                dispute.resolution_days = 0

    @api.depends("state", "date_deadline")
    def _compute_color(self):
        today = fields.Date.context_today(self)
        for dispute in self:
            late = dispute.state in OPEN_DISPUTE_STATES and dispute.date_deadline and dispute.date_deadline < today
            dispute.color = 1 if late else 0

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("move_ids", "partner_id", "company_id", "currency_id", "amount")
    def _check_invoices_and_amount(self):
        for dispute in self.filtered(lambda d: d.state in OPEN_DISPUTE_STATES):
            partner = dispute.partner_id.commercial_partner_id
            problems = self._ar_invoice_problems(
                dispute.move_ids, partner, dispute.company_id, dispute.currency_id, unpaid=False
            )
            if problems:
                raise ValidationError(
                    self.env._(
                        "A dispute of %(customer)s covers its posted customer invoices in %(currency)s only: "
                        "%(problems)s. Choose the customer's own invoices.",
                        customer=partner.name,
                        currency=dispute.currency_id.name,
                        problems="; ".join(problems),
                    )
                )
            currency = dispute.currency_id
            if currency.compare_amounts(dispute.amount, 0.0) <= 0 or (
                currency.compare_amounts(dispute.amount, dispute.amount_residual) > 0
            ):
                raise ValidationError(
                    self.env._(
                        "The disputed amount of %(dispute)s must be more than 0 and at most what the invoices "
                        "still owe (%(residual)s); it is %(amount)s.",
                        dispute=dispute.display_name,
                        residual=currency.format(dispute.amount_residual),
                        amount=currency.format(dispute.amount),
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        disputes = super().create(vals_list)
        disputes._on_open()
        return disputes

    def write(self, vals):
        if "date_deadline" in vals:
            vals = dict(vals, deadline_notified=False)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_open(self):
        if self.filtered(lambda d: d.state != "cancelled"):
            raise UserError(self.env._("Disputes are kept as a record; cancel a dispute opened by mistake instead."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_investigate(self):
        self._ensure_state(("new",), self.env._("Only new disputes can be taken into investigation."))
        self.write({"state": "investigating"})
        return True

    def action_resolve(self):
        """Close the dispute with its outcome: in the customer's favour, the
        reversal wizard opens (the dispute is resolved when the credit note
        is created); otherwise it is resolved at once."""
        self._ensure_state(OPEN_DISPUTE_STATES, self.env._("Only open disputes can be resolved."))
        self._check_outcome()
        credit = self.filtered(lambda d: d.outcome == "credit")
        credit._ar_check_no_documents(
            self.env._(
                "%(disputes)s already has its documents (%(moves)s): post those in draft to resolve it, or cancel "
                "all of them to make new ones. To settle it another way, choose that outcome."
            )
        )
        for dispute in credit:
            # what was made before and cancelled since counts for nothing: a new start
            dispute.write(
                {"credit_note_ids": [fields.Command.clear()], "replacement_invoice_ids": [fields.Command.clear()]}
            )
        credit = self.filtered(lambda d: d.outcome == "credit")
        (self - credit)._close("resolved")
        if not credit:
            return True
        credit.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit note for dispute %(dispute)s", dispute=credit.name),
            "res_model": "account.move.reversal",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "active_model": "account.move",
                "active_ids": credit._invoices_to_credit().ids,
                "default_reason": self.env._(
                    "Dispute %(dispute)s: %(reason)s", dispute=credit.name, reason=credit.reason_id.name
                ),
                "ar_dispute_id": credit.id,
            },
        }

    def action_reject(self):
        """The claim does not hold: follow-ups resume where they were."""
        self._ensure_state(OPEN_DISPUTE_STATES, self.env._("Only open disputes can be rejected."))
        self._ar_check_no_documents(
            self.env._("%(disputes)s has credit documents (%(moves)s): post them to resolve it, or cancel them first.")
        )
        missing = self.filtered(lambda d: not d._has_resolution())
        if missing:
            raise UserError(
                self.env._(
                    "Explain the decision on %(disputes)s in Resolution before rejecting it: the customer will ask.",
                    disputes=", ".join(missing.mapped("name")),
                )
            )
        self._close("rejected")
        return True

    def action_cancel(self):
        self._ensure_state(OPEN_DISPUTE_STATES, self.env._("Only open disputes can be cancelled."))
        self._ar_check_no_documents(
            self.env._("%(disputes)s has credit documents (%(moves)s): post them to resolve it, or cancel them first.")
        )
        self._close("cancelled")
        return True

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _ar_pause_label(self):
        self.ensure_one()
        return self.env._("Disputed (%(dispute)s)", dispute=self.name)

    def _has_resolution(self):
        self.ensure_one()
        return bool(self.resolution and Markup(self.resolution).striptags().strip())

    def _check_outcome(self):
        missing = self.filtered(lambda d: not d.outcome or not d._has_resolution())
        if missing:
            raise UserError(
                self.env._(
                    "Choose an outcome and write the resolution of %(disputes)s before resolving it.",
                    disputes=", ".join(missing.mapped("name")),
                )
            )

    def _invoices_to_credit(self):
        """The invoices the credit note reverses: those still owing money."""
        self.ensure_one()
        return self.move_ids.filtered(lambda m: not m.currency_id.is_zero(m.amount_residual)) or self.move_ids

    def _credit_allocation(self, invoices):
        """``{invoice: amount to credit}``: the disputed amount over the
        invoices, oldest due first, each at most its balance."""
        self.ensure_one()
        left = self.amount
        allocation = {}
        for invoice in invoices.sorted(lambda m: (m.invoice_date_due or m.date, m.id)):
            share = min(left, invoice.amount_residual)
            allocation[invoice] = self.currency_id.round(share)
            left -= share
        return allocation

    def _attach_credit_notes(self, credit_notes, allocation):
        """Link the draft credit notes made by the reversal wizard's *Reverse* and bring each to
        the disputed amount ``allocation`` gives the invoice it reverses."""
        self.ensure_one()
        for credit_note in credit_notes:
            target = allocation.get(credit_note.reversed_entry_id, 0.0)
            if credit_note.state == "draft" and self.currency_id.compare_amounts(credit_note.amount_total, target):
                self._scale_move(credit_note, target)
        self._attach_documents(credit_notes.exists(), self.env["account.move"])

    def _attach_replacements(self, credit_notes, replacements, allocation, paid_by):
        """*Reverse and Create Invoice*: the full credit notes stay (Odoo posted and reconciled them
        with the invoices); each new draft invoice of ``replacements`` ({disputed invoice: its
        copy}) is brought to the disputed invoice's total less its disputed amount, so that the
        customer owes exactly the disputed amount less; the payments ``paid_by`` of each disputed
        invoice ({invoice: payment lines}) go to its replacement when that is posted."""
        self.ensure_one()
        reapply = dict(self.reapply_payments or {})
        for origin, replacement in replacements.items():
            target = origin.amount_total - allocation.get(origin, 0.0)
            if replacement.state == "draft" and self.currency_id.compare_amounts(replacement.amount_total, target):
                self._scale_move(replacement, target)
            if replacement.exists() and paid_by.get(origin):
                reapply[str(replacement.id)] = paid_by[origin].ids
        self.reapply_payments = reapply
        self._attach_documents(credit_notes, self.env["account.move"].union(*replacements.values()).exists())

    def _attach_documents(self, credit_notes, replacements):
        self.credit_note_ids |= credit_notes
        self.replacement_invoice_ids |= replacements
        for move in credit_notes | replacements:
            move.message_post(
                body=self.env._("Made to resolve dispute %(dispute)s.", dispute=self._get_html_link()),
                subtype_xmlid="mail.mt_note",
            )
        drafts = self._ar_documents().filtered(lambda m: m.state == "draft")
        if drafts:
            self.message_post(
                body=self.env._(
                    "Resolved once %(moves)s is posted; follow-ups of the invoices stay paused until then.",
                    moves=", ".join(drafts.mapped("display_name")),
                ),
                subtype_xmlid="mail.mt_note",
            )
        self._ar_documents_changed(self._ar_documents())

    def _ar_documents(self):
        """What was made to resolve the disputes: credit notes and replacement invoices."""
        return self.credit_note_ids | self.replacement_invoice_ids

    def _ar_check_no_documents(self, message):
        """Raise ``message`` (with ``disputes`` and ``moves``) for the disputes that have documents
        not cancelled: those are either waiting to be posted or already credit the customer."""
        live = self.filtered(lambda d: d._ar_documents().filtered(lambda m: m.state != "cancel"))
        if live:
            raise UserError(
                message
                % {
                    "disputes": ", ".join(live.mapped("name")),
                    "moves": ", ".join(
                        live._ar_documents().filtered(lambda m: m.state != "cancel").mapped("display_name")
                    ),
                }
            )

    def _ar_documents_changed(self, moves):
        """``moves`` (documents of some of these disputes) were posted, reset to draft or cancelled.

        A dispute is resolved when all its documents are posted: only then does the customer owe
        the disputed amount less. One of them back in draft or cancelled undoes that: the
        dispute is open again until they are all posted (or all cancelled and made anew)."""
        for dispute in self:
            documents = dispute._ar_documents()
            if not documents & moves:
                continue
            all_posted = all(move.state == "posted" for move in documents)
            if dispute.state in OPEN_DISPUTE_STATES and all_posted:
                dispute._close("resolved")
            elif dispute.state == "resolved" and not all_posted:
                dispute.write({"state": "investigating", "date_closed": False})
                dispute.message_post(
                    body=self.env._(
                        "Reopened: %(moves)s is no longer posted; resolved again once its documents are all "
                        "posted (or all cancelled and made anew).",
                        moves=", ".join(
                            (documents & moves).filtered(lambda m: m.state != "posted").mapped("display_name")
                        ),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                dispute._on_open()

    def _ar_reapply_payments(self, replacements):
        """Apply to each posted replacement the payments taken off the invoice it replaces."""
        for dispute in self:
            for replacement in replacements & dispute.replacement_invoice_ids:
                payment_ids = (dispute.reapply_payments or {}).get(str(replacement.id), [])
                payments = (
                    self.env["account.move.line"]
                    .browse(payment_ids)
                    .exists()
                    .filtered(lambda line: not line.reconciled and line.parent_state == "posted")
                )
                receivable = replacement.line_ids.filtered(
                    lambda line: line.account_id.account_type == RECEIVABLE and not line.reconciled
                )
                usable = payments.filtered(lambda line, acc=receivable.account_id: line.account_id in acc)
                if receivable and usable:
                    (receivable | usable).reconcile()

    def _scale_move(self, move, target):
        """Scale a draft credit note's or invoice's lines so that it totals ``target`` (deleted at 0)."""
        if self.currency_id.is_zero(target):
            move.unlink()
            return
        factor = target / move.amount_total
        lines = move.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        move.write(
            {
                "invoice_line_ids": [
                    fields.Command.update(line.id, {"price_unit": line.price_unit * factor}) for line in lines
                ]
            }
        )
        # the taxes round per line: the cents left go on the largest line, as far as its quantity,
        # discount and taxes let a price to the cent reach them (fixed-amount taxes do not scale:
        # a few passes bring the total closer each time)
        line = lines.sorted("price_subtotal")[-1:]
        for _attempt in range(5):
            difference = target - move.amount_total
            if self.currency_id.is_zero(difference) or not line.price_unit or not line.price_total:
                break
            before = line.price_unit
            line.price_unit += difference / (line.price_total / line.price_unit)
            if line.price_unit == before:
                break
        difference = self.currency_id.round(target - move.amount_total)
        if self.currency_id.is_zero(difference):
            return
        cap = self.currency_id.rounding * max(len(lines), 1) * 2
        if abs(difference) <= cap and not move.invoice_cash_rounding_id:
            # a few cents left by the rounding of taxes per line, as Odoo's cash rounding: one untaxed line
            move.write(
                {
                    "invoice_line_ids": [
                        fields.Command.create(
                            {
                                "name": self.env._("Rounding"),
                                "quantity": 1,
                                "price_unit": difference,
                                "account_id": line.account_id.id,
                                "tax_ids": [fields.Command.clear()],
                            }
                        )
                    ]
                }
            )
            return
        self.message_post(
            body=self.env._(
                "%(move)s totals %(total)s, not %(target)s (fixed-amount taxes or cash rounding): adjust its lines "
                "before posting it.",
                move=move.display_name,
                total=self.currency_id.format(move.amount_total),
                target=self.currency_id.format(target),
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _on_open(self):
        """Move the customer to Disputed when nothing else of it is overdue."""
        stage = self.env["ar.collection.stage"]._get_stage_of_type("disputed")
        for dispute in self:
            partner = dispute.partner_id.with_company(dispute.company_id)
            dispute.previous_stage_id = partner.ar_collection_stage_id
            if stage and not partner._ar_has_overdue_outside(dispute.move_ids):
                partner._ar_set_stage(stage, self.env._("dispute %(dispute)s", dispute=dispute.name))
            dispute.message_post(
                body=self.env._(
                    "Follow-ups of %(moves)s are paused until this dispute is closed.",
                    moves=", ".join(dispute.move_ids.mapped("name")),
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _close(self, state):
        """Close the disputes; the customer leaves Disputed when it has no other open dispute."""
        if not self:
            return
        self.write({"state": state, "date_closed": fields.Date.context_today(self)})
        disputed = self.env["ar.collection.stage"]._get_stage_of_type("disputed")
        # the customers (per company) that still have an open dispute: one query for all
        still_open = {
            (partner.id, company.id)
            for partner, company in self._read_group(
                [
                    ("partner_id", "in", self.partner_id.ids),
                    ("company_id", "in", self.company_id.ids),
                    *self._ar_pausing_domain(),
                ],
                ["partner_id", "company_id"],
            )
        }
        for dispute in self:
            partner = dispute.partner_id.with_company(dispute.company_id)
            if partner.ar_collection_stage_id == disputed and (partner.id, dispute.company_id.id) not in still_open:
                stage = dispute.previous_stage_id
                if not stage or stage == disputed:
                    stage = self.env["ar.collection.stage"]._get_stage_of_type("current")
                partner._ar_set_stage(
                    stage,
                    self.env._(
                        "dispute %(dispute)s %(state)s",
                        dispute=dispute.name,
                        state=dict(self._fields["state"]._description_selection(self.env))[state].lower(),
                    ),
                )

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    def _cron_dispute_deadlines(self):
        """Daily: an activity for the owner of each open dispute past its deadline (once per deadline)."""
        late = self.search(
            [
                *self._ar_pausing_domain(),
                ("deadline_notified", "=", False),
                ("date_deadline", "<", fields.Date.context_today(self)),
            ]
        )
        for dispute in late:
            dispute.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Dispute past its deadline: answer the customer"),
                user_id=(dispute.user_id or self.env.user).id,
            )
        late.write({"deadline_notified": True})
        return late
