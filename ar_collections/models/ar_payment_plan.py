# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .ar_collection_rules import OPEN_INVOICE_TERMS
from .common import MAX_INSTALLMENTS

PLAN_STATES = [
    ("draft", "Draft"),
    ("proposed", "Proposed"),
    ("active", "Active"),
    ("completed", "Completed"),
    ("broken", "Broken"),
    ("cancelled", "Cancelled"),
]
FREQUENCIES = [
    ("weekly", "Weekly"),
    ("biweekly", "Every two weeks"),
    ("monthly", "Monthly"),
]
STEPS = {
    "weekly": relativedelta(weeks=1),
    "biweekly": relativedelta(weeks=2),
    "monthly": relativedelta(months=1),
}
# plans in these states hold their invoices: no other plan may take them
HOLDING_STATES = ("proposed", "active")


# a plan starts within a year of being offered
MAX_START_DAYS = 366


def build_schedule(currency, total, down_payment, count, frequency, first_date):
    """The installments of a plan: ``[(due date, amount, is down payment)]``.

    The down payment (if any) falls on ``first_date`` and the ``count``
    installments follow, one ``frequency`` apart (the first on
    ``first_date`` when there is no down payment). Amounts are rounded to
    the currency; the rounding remainder goes on the last installment, so
    that the amounts add up to ``total`` exactly. Monthly dates are counted
    from ``first_date`` (a plan starting on the 31st falls due on the last
    day of shorter months, then on the 31st again).
    """
    schedule = []
    offset = 0
    if currency.compare_amounts(down_payment, 0.0) > 0:
        schedule.append((first_date, currency.round(down_payment), True))
        offset = 1
    rest = currency.round(total - down_payment)
    share = currency.round(rest / count)
    for index in range(count):
        amount = share if index < count - 1 else currency.round(rest - share * (count - 1))
        schedule.append((first_date + STEPS[frequency] * (index + offset), amount, False))
    return schedule


class ArPaymentPlan(models.Model):
    """An installment agreement with a customer over some of its open invoices.

    What was paid is never typed in: it is what the covered invoices'
    residual amounts lost since the plan started (payments, bank
    reconciliation, credit notes), allocated to the installments in due
    order. While a plan is active its invoices are paused in follow-ups (see
    ``account.move._ar_get_followup_pauses``).
    """

    _name = "ar.payment.plan"
    _description = "Payment Plan"
    _inherit = ["ar.collection.case", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True
    _ar_state_groups = {
        "pausing": ("active",),
        "proposed": ("proposed",),
        "holding": HOLDING_STATES,
        "completed": ("completed",),
    }

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    partner_id = fields.Many2one(tracking=True)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        tracking=True,
        help="Who follows this plan; breaches are assigned to the customer's collector, else to this person.",
    )
    state = fields.Selection(PLAN_STATES, default="draft", required=True, readonly=True, copy=False, tracking=True)
    move_ids = fields.Many2many(
        "account.move",
        "ar_payment_plan_account_move_rel",
        "plan_id",
        "move_id",
        string="Invoices",
        required=True,
        check_company=True,
        domain=f"[('commercial_partner_id', '=', partner_id), {OPEN_INVOICE_TERMS}, ('currency_id', '=', currency_id)]",
    )
    fee_move_id = fields.Many2one(
        "account.move",
        string="Fee invoice",
        readonly=True,
        copy=False,
        check_company=True,
        help="The invoice of the plan fee, created when the plan is activated; the plan covers it too.",
    )
    amount_invoices = fields.Monetary(
        string="Invoices balance",
        readonly=True,
        help="What the invoices still owed when the schedule was made.",
    )
    fee_amount = fields.Monetary(string="Plan fee", help="Invoiced to the customer when the plan is activated.")
    amount_total = fields.Monetary(string="Total", compute="_compute_amount_total", store=True)
    down_payment = fields.Monetary()
    installment_count = fields.Integer(string="Installments", default=4)
    frequency = fields.Selection(FREQUENCIES, default="monthly", required=True)
    first_date = fields.Date(string="First payment on", required=True)
    installment_ids = fields.One2many("ar.payment.plan.installment", "plan_id", string="Schedule", copy=True)
    amount_paid = fields.Monetary(
        string="Paid",
        compute="_compute_amount_paid",
        store=True,
        help="What the covered invoices were paid (or credited) since the plan was activated.",
    )
    amount_remaining = fields.Monetary(string="Remaining", compute="_compute_amount_paid", store=True)
    next_installment_id = fields.Many2one(
        "ar.payment.plan.installment", string="Next installment", compute="_compute_next_installment"
    )
    next_due_date = fields.Date(string="Next due", compute="_compute_next_installment")
    next_amount = fields.Monetary(string="Next amount due", compute="_compute_next_installment")
    late_count = fields.Integer(string="Late installments", compute="_compute_next_installment")
    date_activated = fields.Date(readonly=True, copy=False)
    date_closed = fields.Date(readonly=True, copy=False)
    previous_stage_id = fields.Many2one(
        "ar.collection.stage",
        readonly=True,
        copy=False,
        help="The customer's stage before the plan; cancelling the plan brings it back.",
    )
    close_reason = fields.Text(readonly=True, copy=False)
    note = fields.Html(string="Terms", help="Printed on the agreement above the signatures.")
    signed_by = fields.Char(readonly=True, copy=False, help="Who accepted the plan on the customer's statement page.")
    signed_on = fields.Datetime(readonly=True, copy=False)
    signature = fields.Image(readonly=True, copy=False, attachment=True, max_width=1024, max_height=1024)

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("amount_invoices", "fee_amount")
    def _compute_amount_total(self):
        for plan in self:
            plan.amount_total = plan.amount_invoices + plan.fee_amount

    @api.depends("state", "amount_total", "move_ids.amount_residual")
    def _compute_amount_paid(self):
        # move residuals are prefetched together for every plan in self
        for plan in self:
            if plan.state in ("draft", "proposed"):
                plan.amount_paid = 0.0
            else:
                outstanding = sum(plan.move_ids.mapped("amount_residual"))
                paid = min(max(plan.amount_total - outstanding, 0.0), plan.amount_total)
                plan.amount_paid = plan.currency_id.round(paid)
            plan.amount_remaining = plan.amount_total - plan.amount_paid

    @api.depends("installment_ids.state", "installment_ids.amount_paid")
    def _compute_next_installment(self):
        for plan in self:
            unpaid = plan.installment_ids.filtered(lambda i: i.state != "paid").sorted(
                lambda i: (i.date_due, i.sequence)
            )
            plan.next_installment_id = unpaid[:1]
            plan.next_due_date = unpaid[:1].date_due
            plan.next_amount = unpaid[:1].amount - unpaid[:1].amount_paid if unpaid else 0.0
            plan.late_count = len(unpaid.filtered(lambda i: i.state == "late"))

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("installment_ids", "amount_total", "state")
    def _check_schedule_total(self):
        for plan in self.filtered(lambda p: p.state != "cancelled" and p.installment_ids):
            scheduled = sum(plan.installment_ids.mapped("amount"))
            if plan.currency_id.compare_amounts(scheduled, plan.amount_total):
                raise ValidationError(
                    self.env._(
                        "The schedule of %(plan)s adds up to %(scheduled)s but the plan total is %(total)s. "
                        "Change the installment amounts so that they add up to the total.",
                        plan=plan.display_name,
                        scheduled=plan.currency_id.format(scheduled),
                        total=plan.currency_id.format(plan.amount_total),
                    )
                )

    @api.constrains("fee_amount", "down_payment", "amount_total", "installment_count", "installment_ids")
    def _check_amounts(self):
        for plan in self:
            self._check_installment_count(plan.installment_count, plan.display_name)
            if plan.currency_id.compare_amounts(plan.fee_amount, 0.0) < 0:
                raise ValidationError(
                    self.env._("The fee of %(plan)s cannot be negative: enter 0 or more.", plan=plan.display_name)
                )
            if plan.installment_ids:  # a plan without schedule yet has no total to compare with
                plan._check_down_payment(plan.currency_id, plan.amount_total, plan.down_payment)

    @api.model
    def _check_down_payment(self, currency, total, down_payment, partner=None):
        if currency.compare_amounts(down_payment, 0.0) < 0 or currency.compare_amounts(down_payment, total) >= 0:
            raise ValidationError(
                self.env._(
                    "The down payment%(for_customer)s must be at least 0 and less than the total of "
                    "%(total)s; it is %(down)s.",
                    for_customer=self.env._(" of %(name)s", name=partner.name) if partner else "",
                    total=currency.format(total),
                    down=currency.format(down_payment),
                )
            )

    @api.constrains("move_ids", "partner_id", "company_id", "currency_id", "state")
    def _check_invoices(self):
        if self.env.context.get("ar_plan_reopening"):
            return  # a payment was taken back: the invoices are those the plan started with
        for plan in self.filtered(lambda p: p.state in ("draft",) + HOLDING_STATES):
            covered = plan.move_ids - plan.fee_move_id
            self._check_invoices_for_plan(covered, plan.partner_id, plan.company_id, plan.currency_id, plan)

    @api.model
    def _check_invoices_for_plan(self, invoices, partner, company, currency, plan=None):
        """Raise a clear error unless ``invoices`` can go on a plan of
        ``partner`` in ``company`` and ``currency``."""
        if not invoices:
            raise ValidationError(self.env._("Choose the open invoices the payment plan covers."))
        partner = partner.commercial_partner_id
        problems = self._ar_invoice_problems(invoices, partner, company, currency)
        if problems:
            raise ValidationError(
                self.env._(
                    "A payment plan of %(customer)s covers its posted, unpaid customer invoices in %(company)s "
                    "and %(currency)s only: %(problems)s. Remove them from the plan.",
                    customer=partner.name,
                    company=company.name,
                    currency=currency.name,
                    problems="; ".join(problems),
                )
            )
        # sudo: an invoice held by a plan the user cannot see (another company) is still held
        others = self.sudo().search(
            [
                ("move_ids", "in", invoices.ids),
                *self._ar_state_domain("holding"),
                ("id", "!=", plan.id if plan else False),
            ]
        )
        if others:
            held = invoices & others.move_ids
            raise ValidationError(
                self.env._(
                    "%(moves)s already on payment plan %(plans)s. Cancel that plan first or leave these invoices out.",
                    moves=", ".join(held.mapped("display_name")),
                    plans=", ".join(others.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def write(self, vals):
        frozen = {"move_ids", "partner_id", "company_id", "currency_id", "fee_amount", "amount_invoices"}
        if frozen & set(vals) and self.filtered(lambda p: p.state not in ("draft", "proposed")):
            raise UserError(
                self.env._(
                    "Plan %(plans)s is under way: its customer, invoices and amounts cannot change. "
                    "Cancel it and offer a new plan instead.",
                    plans=", ".join(self.filtered(lambda p: p.state not in ("draft", "proposed")).mapped("name")),
                )
            )
        # installments written through the plan are checked once, by the plan's constraint
        return super(ArPaymentPlan, self.with_context(ar_plan_schedule_write=True)).write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        started = self.filtered(lambda p: p.state not in ("draft", "cancelled"))
        if started:
            raise UserError(
                self.env._(
                    "Plans %(plans)s were offered to the customer and are kept as a record; cancel them instead.",
                    plans=", ".join(started.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_generate_schedule(self):
        """(Re)build the draft schedule from the plan's terms and the invoices' balance now."""
        for plan in self:
            plan._ensure_state(("draft",), self.env._("Only draft plans can be rescheduled."))
            invoices = plan.move_ids - plan.fee_move_id
            plan._check_invoices_for_plan(invoices, plan.partner_id, plan.company_id, plan.currency_id, plan)
            plan._reset_schedule(invoices)
        return True

    def _reset_schedule(self, invoices):
        """Set the balance of ``invoices`` and a fresh schedule from the terms."""
        self.ensure_one()
        balance = self.currency_id.round(sum(invoices.mapped("amount_residual")))
        total = balance + self.fee_amount
        self._check_terms(self.currency_id, total, self.down_payment, self.installment_count, self.partner_id)
        latest = fields.Date.context_today(self) + timedelta(days=MAX_START_DAYS)
        if self.first_date > latest:
            raise ValidationError(
                self.env._(
                    "The first payment of %(plan)s falls on %(date)s, more than %(days)s days ahead (at most "
                    "%(latest)s): start the plan sooner, or agree a promise to pay instead.",
                    plan=self.display_name,
                    date=self.first_date,
                    days=MAX_START_DAYS,
                    latest=latest,
                )
            )
        schedule = build_schedule(
            self.currency_id, total, self.down_payment, self.installment_count, self.frequency, self.first_date
        )
        # the old schedule goes first: the total and the new schedule then change together
        self.installment_ids.unlink()
        self.with_context(ar_plan_schedule_write=True).write(
            {"amount_invoices": balance, "installment_ids": self._installment_commands(schedule)}
        )

    @api.model
    def _installment_commands(self, schedule):
        return [
            Command.create({"sequence": index, "date_due": day, "amount": amount, "is_down_payment": down})
            for index, (day, amount, down) in enumerate(schedule)
        ]

    @api.model
    def _check_terms(self, currency, total, down_payment, count, partner):
        self._check_installment_count(count, self.env._("The payment plan of %(customer)s", customer=partner.name))
        self._check_down_payment(currency, total, down_payment, partner)

    @api.model
    def _check_installment_count(self, count, plan_name):
        if not 1 <= count <= MAX_INSTALLMENTS:
            raise ValidationError(
                self.env._(
                    "%(plan)s needs between 1 and %(max)s installments; it has %(count)s. Enter a number in "
                    "that range (a longer plan is a loan, not a payment plan).",
                    plan=plan_name,
                    max=MAX_INSTALLMENTS,
                    count=count,
                )
            )

    def action_send_proposal(self):
        """Open the composer with the proposal email and agreement PDF;
        sending it marks the plan proposed."""
        self.ensure_one()
        self._ensure_state(("draft", "proposed"), self.env._("Only draft or proposed plans can be sent."))
        template = self.env.ref("ar_collections.mail_template_payment_plan", raise_if_not_found=False)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send payment plan"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "ar_mark_plan_proposed": True,
            },
        }

    def action_mark_proposed(self):
        self._ensure_state(("draft",), self.env._("Only draft plans can be proposed."))
        self._check_ready()
        self.write({"state": "proposed"})
        return True

    def action_activate(self):
        """The customer accepted: the plan starts, its invoices leave follow-ups."""
        today = fields.Date.context_today(self)
        for plan in self:
            plan._ensure_state(("draft", "proposed"), self.env._("Only draft or proposed plans can be activated."))
            plan._check_ready()
            invoices = plan.move_ids - plan.fee_move_id
            balance = plan.currency_id.round(sum(invoices.mapped("amount_residual")))
            if plan.currency_id.compare_amounts(balance, plan.amount_invoices):
                raise UserError(
                    self.env._(
                        "The invoices of %(plan)s now owe %(balance)s, not %(scheduled)s as when the schedule was "
                        "made (a payment or credit note came in). Set the plan back to draft and click "
                        "Compute schedule.",
                        plan=plan.name,
                        balance=plan.currency_id.format(balance),
                        scheduled=plan.currency_id.format(plan.amount_invoices),
                    )
                )
            first = min(plan.installment_ids.mapped("date_due"))
            if first > today + timedelta(days=MAX_START_DAYS):
                raise UserError(
                    self.env._(
                        "The first installment of %(plan)s falls on %(date)s, more than %(days)s days ahead: "
                        "move the schedule sooner.",
                        plan=plan.name,
                        date=first,
                        days=MAX_START_DAYS,
                    )
                )
            if first < today:
                raise UserError(
                    self.env._(
                        "The first installment of %(plan)s falls on %(date)s, in the past. Move the schedule's "
                        "dates to today or later before activating it.",
                        plan=plan.name,
                        date=first,
                    )
                )
            partner = plan.partner_id.with_company(plan.company_id)
            vals = {"state": "active", "date_activated": today, "previous_stage_id": partner.ar_collection_stage_id.id}
            if plan.currency_id.compare_amounts(plan.fee_amount, 0.0) > 0 and not plan.fee_move_id:
                fee_move = plan._create_fee_invoice()
                vals.update(fee_move_id=fee_move.id, move_ids=[Command.link(fee_move.id)])
            # the invoices are frozen from now on: write them before the state
            super(ArPaymentPlan, plan).write({k: v for k, v in vals.items() if k != "state"})
            plan.state = "active"
            plan._set_customer_stage("payment_plan", self.env._("payment plan %(plan)s", plan=plan.name))
            plan.message_post(body=self.env._("The customer accepted the plan; it is active."))
        return True

    def action_cancel(self):
        """Cancel: the invoices go back to normal follow-ups; history stays."""
        for plan in self:
            plan._ensure_state(
                ("draft", "proposed", "active"), self.env._("Only plans not yet completed or broken can be cancelled.")
            )
            was_active = plan.state == "active"
            plan.write({"state": "cancelled", "date_closed": fields.Date.context_today(plan)})
            if was_active:
                partner = plan.partner_id.with_company(plan.company_id)
                if not plan._customer_has_other_active_plan():
                    stage = plan.previous_stage_id or self.env["ar.collection.stage"]._get_stage_of_type("current")
                    partner._ar_set_stage(stage, self.env._("payment plan %(plan)s cancelled", plan=plan.name))
            plan.message_post(body=self.env._("Plan cancelled; follow-ups of its invoices resume."))
        return True

    def action_draft(self):
        self._ensure_state(("proposed", "cancelled"), self.env._("Only proposed or cancelled plans go back to draft."))
        for plan in self.filtered(lambda p: p.state == "cancelled"):
            plan._check_invoices_for_plan(
                plan.move_ids - plan.fee_move_id, plan.partner_id, plan.company_id, plan.currency_id, plan
            )
        self.write({"state": "draft", "date_closed": False})
        return True

    def action_print(self):
        return self.env.ref("ar_collections.action_report_payment_plan").report_action(self)

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _ar_pause_label(self):
        self.ensure_one()
        return self.env._("On payment plan %(plan)s", plan=self.name)

    def _ensure_editable_schedule(self, vals, states=("draft",)):
        """Only draft schedules change: what the customer was offered stays as offered."""
        schedule_fields = {"amount", "date_due", "sequence", "is_down_payment", "plan_id"}
        locked = self.filtered(lambda p: p.state not in states)
        if locked and schedule_fields & set(vals):
            raise UserError(
                self.env._(
                    "The schedule of %(plans)s was offered to the customer and cannot change. Set the plan "
                    "back to draft (or cancel it and offer a new one) to change installments.",
                    plans=", ".join(locked.mapped("name")),
                )
            )

    def _check_ready(self):
        for plan in self:
            if not plan.installment_ids:
                raise UserError(
                    self.env._("Plan %(plan)s has no schedule yet: click Compute schedule.", plan=plan.name)
                )
            plan._check_invoices_for_plan(
                plan.move_ids - plan.fee_move_id, plan.partner_id, plan.company_id, plan.currency_id, plan
            )
            plan._check_schedule_total()

    def _create_fee_invoice(self):
        """Invoice the plan fee (no taxes: set them on the invoice's journal
        income account policy if your jurisdiction taxes such fees)."""
        self.ensure_one()
        journal = self.env["account.journal"].search(
            [("type", "=", "sale"), *self.env["account.journal"]._check_company_domain(self.company_id)], limit=1
        )
        if not journal:
            raise UserError(
                self.env._(
                    "%(company)s has no sales journal to invoice the fee of %(plan)s: create one or set the fee to 0.",
                    company=self.company_id.name,
                    plan=self.name,
                )
            )
        fee_move = (
            self.env["account.move"]
            .with_company(self.company_id)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner_id.id,
                    "journal_id": journal.id,
                    "currency_id": self.currency_id.id,
                    "invoice_date": fields.Date.context_today(self),
                    "invoice_date_due": max(self.installment_ids.mapped("date_due")),
                    "invoice_origin": self.name,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": self.env._("Payment plan fee (%(plan)s)", plan=self.name),
                                "quantity": 1,
                                "price_unit": self.fee_amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        fee_move.action_post()
        return fee_move

    def _customer_has_other_active_plan(self):
        self.ensure_one()
        return bool(
            self.search_count(
                [
                    ("partner_id", "=", self.partner_id.id),
                    ("company_id", "=", self.company_id.id),
                    ("id", "!=", self.id),
                ]
                + self._ar_pausing_domain(),
                limit=1,
            )
        )

    def _set_customer_stage(self, stage_type, reason):
        stage = self.env["ar.collection.stage"]._get_stage_of_type(stage_type)
        if stage:
            self.partner_id.with_company(self.company_id)._ar_set_stage(stage, reason)

    def _ar_complete(self):
        """Every covered invoice is paid: close the plan, the customer is current again."""
        for plan in self:
            plan.write({"state": "completed", "date_closed": fields.Date.context_today(plan)})
            if not plan._customer_has_other_active_plan():
                plan._set_customer_stage("current", self.env._("payment plan %(plan)s completed", plan=plan.name))
            plan.message_post(body=self.env._("All the invoices of the plan are paid: the plan is completed."))

    def _ar_break(self, reason):
        """The customer missed too many installments: follow-ups resume,
        at the company's configured level, and the collector is told."""
        for plan in self:
            company = plan.company_id
            plan.write({"state": "broken", "date_closed": fields.Date.context_today(plan), "close_reason": reason})
            open_moves = plan.move_ids.filtered(lambda m: not m.currency_id.is_zero(m.amount_residual))
            if company.ar_payment_plan_break_level_id:
                open_moves.write({"ar_followup_resume_level_id": company.ar_payment_plan_break_level_id.id})
            plan._set_customer_stage("escalated", self.env._("payment plan %(plan)s broken", plan=plan.name))
            partner = plan.partner_id.with_company(company)
            body = Markup("<p>%s</p>") % self.env._(
                "Payment plan %(plan)s is broken: %(reason)s Follow-ups of its invoices resume%(level)s.",
                plan=plan.name,
                reason=reason,
                level=self.env._(" at level %(level)s", level=company.ar_payment_plan_break_level_id.name)
                if company.ar_payment_plan_break_level_id
                else "",
            )
            partner._ar_notify_breach(plan, body, self.env._("Payment plan broken: call the customer"), plan.user_id)

    @api.model
    def _ar_check_moves_paid(self, moves):
        """Complete the active plans whose covered invoices ``moves`` settled."""
        # sudo: whoever registers the payment (a billing clerk without collections
        # rights, a bank reconciliation) completes the plan it settles
        plans = self.sudo().search(self._ar_pausing_domain() + [("move_ids", "in", moves.ids)])
        done = plans.filtered(lambda p: all(m.currency_id.is_zero(m.amount_residual) for m in p.move_ids))
        done._ar_complete()
        return done

    @api.model
    def _ar_check_moves_unpaid(self, moves):
        """A payment of ``moves`` was taken back (unreconciled, a bounced cheque): the completed
        plans covering them whose invoices owe money again are active again; their installments
        follow from the invoices' balances (stored computes)."""
        # sudo: whoever unreconciles the payment reopens the plan it had completed
        plans = self.sudo().search(self._ar_state_domain("completed") + [("move_ids", "in", moves.ids)])
        reopened = plans.filtered(lambda p: any(not m.currency_id.is_zero(m.amount_residual) for m in p.move_ids))
        for plan in reopened:
            plan.with_context(ar_plan_reopening=True).write({"state": "active", "date_closed": False})
            plan._set_customer_stage("payment_plan", self.env._("payment plan %(plan)s active again", plan=plan.name))
            plan.message_post(
                body=self.env._(
                    "A payment of %(moves)s was unreconciled: the plan is active again, %(remaining)s to pay.",
                    moves=", ".join(plan.move_ids.filtered(lambda m: m in moves).mapped("name")),
                    remaining=plan.currency_id.format(plan.amount_remaining),
                )
            )
        return reopened

    def message_post(self, **kwargs):
        if self.env.context.get("ar_mark_plan_proposed"):
            self.filtered(lambda p: p.state == "draft").action_mark_proposed()
        return super().message_post(**kwargs)

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    def _cron_check_plans(self):
        """Daily: mark installments late after the grace period, break plans
        with too many late installments, complete the fully paid ones."""
        plans = self.search(self._ar_pausing_domain())
        self._ar_check_moves_paid(plans.move_ids)
        plans = plans.filtered(lambda p: p.state == "active")
        Installment = self.env["ar.payment.plan.installment"]
        for company in plans.company_id:
            today = fields.Date.context_today(self.with_company(company))
            late_before = today - timedelta(days=company.ar_payment_plan_grace_days)
            Installment.search(
                [
                    ("plan_id", "in", plans.filtered(lambda p, c=company: p.company_id == c).ids),
                    ("state", "in", ("pending", "partial")),
                    ("date_due", "<", late_before),
                ]
            ).write({"late_since": today})
        broken = self.browse()
        for plan in plans:
            limit = max(plan.company_id.ar_payment_plan_max_missed, 1)
            if plan.late_count >= limit:
                late = plan.installment_ids.filtered(lambda i: i.state == "late")
                plan._ar_break(
                    self.env._(
                        "%(count)s installment(s) unpaid after the %(grace)s-day grace period (due %(dates)s).",
                        count=len(late),
                        grace=plan.company_id.ar_payment_plan_grace_days,
                        dates=", ".join(str(d) for d in late.mapped("date_due")),
                    )
                )
                broken |= plan
        return broken
