# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

from .ar_collection_rules import OPEN_INVOICE_TERMS

PROMISE_STATES = [
    ("open", "Open"),
    ("kept", "Kept"),
    ("broken", "Broken"),
    ("cancelled", "Cancelled"),
]
PROMISE_CHANNELS = [
    ("call", "Phone call"),
    ("email", "Email"),
    ("portal", "Portal"),
    ("other", "Other"),
]


class ArPaymentPromise(models.Model):
    """A customer's promise to pay some invoices by a date.

    While open, follow-ups of its invoices pause until the promised date plus
    the company's grace period. Whether it was kept is decided by accounting:
    what the invoices' balance lost since the promise (payments, credit
    notes) against the promised amount.
    """

    _name = "ar.payment.promise"
    _description = "Promise to Pay"
    _inherit = ["ar.collection.case", "mail.thread", "mail.activity.mixin"]
    _order = "promised_date desc, id desc"
    _check_company_auto = True
    _ar_state_groups = {
        "pausing": ("open",),
        "kept": ("kept",),
        "broken": ("broken",),
        "settled": ("kept", "broken"),
    }

    move_ids = fields.Many2many(
        "account.move",
        "ar_payment_promise_account_move_rel",
        "promise_id",
        "move_id",
        string="Invoices",
        required=True,
        check_company=True,
        domain=f"[('commercial_partner_id', '=', partner_id), {OPEN_INVOICE_TERMS}, ('currency_id', '=', currency_id)]",
    )
    promised_date = fields.Date(required=True, tracking=True)
    amount = fields.Monetary(string="Promised amount", required=True, tracking=True)
    amount_initial = fields.Monetary(
        string="Balance when promised", readonly=True, help="What the invoices owed when the promise was made."
    )
    amount_paid = fields.Monetary(
        string="Paid since", compute="_compute_amount_paid", help="What the invoices were paid since the promise."
    )
    channel = fields.Selection(PROMISE_CHANNELS, required=True, default="call")
    portal_access_id = fields.Many2one(
        "ar.statement.access", string="Made on the statement page", readonly=True, index="btree_not_null", copy=False
    )
    note = fields.Html()
    user_id = fields.Many2one("res.users", string="Taken by", default=lambda self: self.env.user, readonly=True)
    state = fields.Selection(PROMISE_STATES, default="open", required=True, readonly=True, copy=False, tracking=True)
    date_settled = fields.Date(readonly=True, copy=False)

    @api.depends("amount_initial", "move_ids.amount_residual")
    def _compute_amount_paid(self):
        for promise in self:
            outstanding = sum(promise.move_ids.mapped("amount_residual"))
            promise.amount_paid = max(promise.currency_id.round(promise.amount_initial - outstanding), 0.0)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("move_ids", "partner_id", "amount", "state")
    def _check_promise(self):
        if self.env.context.get("ar_promise_reopening"):
            return  # a payment was taken back: the promise covers what it covered when made
        # every open promise on these invoices, in one search
        open_promises = self.search(self._ar_pausing_domain() + [("move_ids", "in", self.move_ids.ids)])
        for promise in self.filtered(lambda p: p.state == "open"):
            partner = promise.partner_id.commercial_partner_id
            problems = self._ar_invoice_problems(promise.move_ids, partner, promise.company_id, promise.currency_id)
            if problems:
                raise ValidationError(
                    self.env._(
                        "A promise of %(customer)s covers its unpaid posted invoices in %(currency)s only: "
                        "%(problems)s. Choose the customer's open invoices.",
                        customer=partner.name,
                        currency=promise.currency_id.name,
                        problems="; ".join(problems),
                    )
                )
            if promise.currency_id.compare_amounts(promise.amount, 0.0) <= 0 or (
                promise.currency_id.compare_amounts(promise.amount, promise.amount_initial) > 0
            ):
                raise ValidationError(
                    self.env._(
                        "The promised amount of %(promise)s must be more than 0 and at most what the invoices owe "
                        "(%(owed)s); it is %(amount)s.",
                        promise=promise.display_name,
                        owed=promise.currency_id.format(promise.amount_initial),
                        amount=promise.currency_id.format(promise.amount),
                    )
                )
            others = open_promises.filtered(lambda p, promise=promise: p != promise and p.move_ids & promise.move_ids)
            if others:
                raise ValidationError(
                    self.env._(
                        "%(moves)s already has an open promise (%(others)s). Cancel it or wait until it is settled "
                        "before recording another one.",
                        moves=", ".join((promise.move_ids & others.move_ids).mapped("name")),
                        others=", ".join(others.mapped("name")),
                    )
                )

    @api.model
    def _check_promised_date(self, promised, company):
        """A promise is for a day from today to the company's maximum days ahead."""
        if not promised:
            return
        today = fields.Date.context_today(self.with_company(company))
        if promised < today:
            raise ValidationError(
                self.env._(
                    "The promised date %(date)s is in the past: enter the day the customer said it will pay.",
                    date=promised,
                )
            )
        latest = today + timedelta(days=company.ar_promise_max_days)
        if promised > latest:
            raise ValidationError(
                self.env._(
                    "The promised date %(date)s is more than %(days)s days ahead (at most %(latest)s in "
                    "%(company)s): agree a nearer date, or offer a payment plan.",
                    date=promised,
                    days=company.ar_promise_max_days,
                    latest=latest,
                    company=company.name,
                )
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            self._check_promised_date(fields.Date.to_date(vals.get("promised_date")), company)
            if vals.get("move_ids") and "amount_initial" not in vals:
                moves = self.new({"move_ids": vals["move_ids"]}).move_ids._origin
                vals["amount_initial"] = sum(moves.mapped("amount_residual"))
        promises = super().create(vals_list)
        for promise in promises:
            promise.partner_id.with_company(promise.company_id).message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Promise to pay %(amount)s by %(date)s (%(promise)s): follow-ups of %(moves)s wait until then.",
                    amount=promise.currency_id.format(promise.amount),
                    date=format_date(self.env, promise.promised_date),
                    promise=promise.name,
                    moves=", ".join(promise.move_ids.mapped("name")),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return promises

    def write(self, vals):
        if vals.get("promised_date"):
            for company in self.company_id:
                self._check_promised_date(fields.Date.to_date(vals["promised_date"]), company)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_settled(self):
        if self.filtered(lambda p: p.state != "cancelled"):
            raise UserError(self.env._("Promises are kept as a record of the customer's word; cancel one instead."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_cancel(self):
        if self.filtered(lambda p: p.state != "open"):
            raise UserError(self.env._("Only open promises can be cancelled."))
        self.write({"state": "cancelled", "date_settled": fields.Date.context_today(self)})
        return True

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _ar_pause_label(self):
        self.ensure_one()
        return self.env._("Payment promised by %(date)s", date=format_date(self.env, self.promised_date))

    def _is_paid(self):
        self.ensure_one()
        return self.currency_id.compare_amounts(self.amount_paid, self.amount) >= 0

    @api.model
    def _ar_check_moves_paid(self, moves):
        """Mark kept the open promises on ``moves`` whose amount is now paid."""
        # sudo: whoever registers the payment settles the promise it keeps
        promises = self.sudo().search(self._ar_pausing_domain() + [("move_ids", "in", moves.ids)])
        kept = promises.filtered(lambda p: p._is_paid())
        kept.write({"state": "kept", "date_settled": fields.Date.context_today(self)})
        return kept

    @api.model
    def _ar_check_moves_unpaid(self, moves):
        """A payment of ``moves`` was taken back: the kept promises on them that it no longer
        covers are open again, or broken at once when their date and grace period have passed."""
        # sudo: whoever unreconciles the payment reopens the promise it had kept
        promises = self.sudo().search(self._ar_state_domain("kept") + [("move_ids", "in", moves.ids)])
        reopened = promises.filtered(lambda p: not p._is_paid())
        if not reopened:
            return reopened
        reopened.with_context(ar_promise_reopening=True).write({"state": "open", "date_settled": False})
        for promise in reopened:
            promise.message_post(
                body=self.env._(
                    "A payment was unreconciled: %(paid)s of the %(amount)s promised is paid now; "
                    "the promise is open again.",
                    paid=promise.currency_id.format(promise.amount_paid),
                    amount=promise.currency_id.format(promise.amount),
                )
            )
        reopened._ar_past_grace()._break()
        return reopened

    def _ar_past_grace(self):
        """The promises whose date plus the company's grace period has passed."""
        past = self.browse()
        for promise in self:
            today = fields.Date.context_today(self.with_company(promise.company_id))
            if promise.promised_date + timedelta(days=promise.company_id.ar_promise_grace_days) < today:
                past |= promise
        return past

    def _break(self):
        """The promised date and its grace passed without the money: tell the
        collector; follow-ups resume (at the next level if the company says so)."""
        self.write({"state": "broken", "date_settled": fields.Date.context_today(self)})
        levels = self.env["ar.followup.level"].search([("company_id", "in", self.company_id.ids)], order="delay, id")
        for promise in self:
            company = promise.company_id
            partner = promise.partner_id.with_company(company)
            if company.ar_promise_broken_next_level:
                ladder = levels.filtered(lambda lv, c=company: lv.company_id == c)
                for move in promise.move_ids.filtered(lambda m: not m.currency_id.is_zero(m.amount_residual)):
                    reached = move.ar_followup_level_id
                    following = ladder.filtered(lambda lv, r=reached: not r or lv.delay > r.delay)[:1]
                    if following:
                        move.ar_followup_resume_level_id = following
            body = Markup("<p>%s</p>") % self.env._(
                "Promise %(promise)s broken: %(paid)s of the %(amount)s promised for %(date)s was paid. "
                "Follow-ups resume.",
                promise=promise.name,
                paid=promise.currency_id.format(promise.amount_paid),
                amount=promise.currency_id.format(promise.amount),
                date=promise.promised_date,
            )
            partner._ar_notify_breach(
                promise, body, self.env._("Broken promise to pay: call the customer"), promise.user_id
            )

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    def _cron_settle_promises(self):
        """Daily: settle the open promises whose date and grace period have passed."""
        promises = self.search(self._ar_pausing_domain())
        kept = self._ar_check_moves_paid(promises.move_ids)
        broken = (promises - kept)._ar_past_grace()
        broken._break()
        return kept, broken
