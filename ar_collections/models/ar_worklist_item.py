# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta
from functools import partial

from odoo import api, fields, models
from odoo.tools import format_date

WORKLIST_KINDS = [
    ("followup", "Follow-up due"),
    ("promise", "Broken promise"),
    ("installment", "Late installment"),
    ("dispute", "Dispute deadline"),
]
# priority = amount points + days points + risk points (0-100), see the README
AMOUNT_POINTS, DAYS_POINTS, RISK_POINTS = 40, 30, 30
DAYS_CAP = 120
BROKEN_PROMISE_WINDOW = 30
INLINE_REFRESH_LIMIT = 5000  # open invoices; above, the Refresh button hands over to the job


class ArWorklistItem(models.Model):
    """Something a collector should act on today, with a priority that says why.

    Items are made by ``_refresh`` (nightly, and from the worklist's
    Refresh button) from what the book says today: customers due a
    follow-up level, promises broken in the last 30 days whose invoices are
    still open, late installments of active plans, open disputes past their
    response deadline. An item that no longer applies disappears at the
    next refresh; one marked done stays done.
    """

    _name = "ar.worklist.item"
    _description = "Collections Worklist Item"
    _order = "state, priority desc, id"
    _check_company_auto = True

    name = fields.Char(string="What to do", compute="_compute_name", help="In the reader's language.")
    key = fields.Char(readonly=True, required=True, help="What the item is about, unique per company.")
    kind = fields.Selection(WORKLIST_KINDS, required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id", string="Company currency")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, index=True)
    collector_id = fields.Many2one("res.users", readonly=True, index=True)
    level_id = fields.Many2one("ar.followup.level", string="Level due", readonly=True, check_company=True)
    promise_id = fields.Many2one("ar.payment.promise", readonly=True, ondelete="cascade", check_company=True)
    installment_id = fields.Many2one(
        "ar.payment.plan.installment", readonly=True, ondelete="cascade", check_company=True
    )
    dispute_id = fields.Many2one("ar.dispute", readonly=True, ondelete="cascade", check_company=True)
    date_action = fields.Date(string="Since", readonly=True, help="The day this became due.")
    amount = fields.Monetary(string="At stake", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    risk_score = fields.Integer(readonly=True, aggregator="max")
    priority = fields.Float(readonly=True, digits=(16, 1), aggregator="max")
    amount_points = fields.Float(readonly=True, digits=(16, 1), aggregator=None)
    days_points = fields.Float(readonly=True, digits=(16, 1), aggregator=None)
    risk_points = fields.Float(readonly=True, digits=(16, 1), aggregator=None)
    priority_explanation = fields.Char(string="Why this priority", compute="_compute_priority_explanation")
    state = fields.Selection([("open", "To do"), ("done", "Done")], default="open", required=True, readonly=True)
    date_done = fields.Date(readonly=True)
    done_uid = fields.Many2one("res.users", string="Done by", readonly=True)

    _sql_constraints = [("key_uniq", "unique(company_id, key)", "A worklist item is made once per company.")]

    # ------------------------------------------------------------------
    # Computes (words at read time, in the reader's language)
    # ------------------------------------------------------------------
    @api.depends("kind", "level_id.name", "promise_id.name", "installment_id.date_due", "dispute_id.date_deadline")
    @api.depends_context("lang")
    def _compute_name(self):
        for item in self:
            if item.kind == "followup":
                item.name = self.env._("Follow up: %(level)s", level=item.level_id.name)
            elif item.kind == "promise":
                item.name = self.env._("Broken promise %(name)s: call the customer", name=item.promise_id.name)
            elif item.kind == "installment":
                item.name = self.env._(
                    "Late installment of %(plan)s (due %(date)s)",
                    plan=item.installment_id.plan_id.name,
                    date=format_date(self.env, item.installment_id.date_due),
                )
            elif item.kind == "dispute":
                item.name = self.env._(
                    "Dispute %(name)s: response due %(date)s",
                    name=item.dispute_id.name,
                    date=format_date(self.env, item.dispute_id.date_deadline),
                )
            else:
                item.name = False

    @api.depends("amount_points", "days_points", "risk_points", "priority")
    @api.depends_context("lang")
    def _compute_priority_explanation(self):
        for item in self:
            item.priority_explanation = self.env._(
                "amount %(amount).1f + days overdue %(days).1f + risk %(risk).1f = %(total).1f",
                amount=item.amount_points,
                days=item.days_points,
                risk=item.risk_points,
                total=item.priority,
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_done(self):
        self._set_done_state({"state": "done", "date_done": fields.Date.context_today(self), "done_uid": self.env.uid})
        return True

    def action_reopen(self):
        self._set_done_state({"state": "open", "date_done": False, "done_uid": False})
        return True

    def _set_done_state(self, vals):
        """The one change users make to an item: done, or to do again."""
        self.check_access("read")  # the user's own company's items, per the record rules
        # sudo: users have no write access to items (they are derived from the book, made by
        # the worklist job), so that no figure of an item can be changed over RPC
        self.sudo().write(vals)

    def action_open_source(self):
        """The record to act on: the customer for a follow-up, else the promise, plan or dispute."""
        self.ensure_one()
        record = self.promise_id or self.installment_id.plan_id or self.dispute_id
        view = False
        if not record:
            record = self.partner_id
            view = self.env.ref("ar_collections.res_partner_view_form_collections").id
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
            "views": [(view, "form")],
            "context": {"allowed_company_ids": self.company_id.ids},
        }

    @api.model
    def action_refresh(self):
        """The worklist's Refresh button: the current company's items, now for
        a small book; a large one is left to the worklist job, started at once,
        so that no web request holds thousands of invoices."""
        Move = self.env["account.move"]
        if (
            Move.search_count(self.env["ar.collection.rules"]._open_invoice_domain(), limit=INLINE_REFRESH_LIMIT + 1)
            > INLINE_REFRESH_LIMIT
        ):
            self.env.ref("ar_collections.ir_cron_worklist")._trigger()
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "message": self.env._("The worklist is being refreshed in the background; reload it in a minute."),
                },
            }
        self._refresh(self.env.company)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    @api.model
    def _close_followups(self, partners, company):
        """A follow-up was just recorded for ``partners``: their follow-up items are done."""
        self.search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.commercial_partner_id.ids),
                ("kind", "=", "followup"),
                ("state", "=", "open"),
            ]
        ).action_done()

    @api.model
    def _refresh(self, company, preview=None):
        """Make the items of ``company`` match what is due today (see the class); ``preview`` is
        the lines of today's preview of the whole book, when the caller has made it."""
        # sudo: items are derived from the book, made and removed here only (users
        # may only mark them done); who asks is checked against the model first
        self.check_access("read")
        Item = self.sudo().with_company(company)
        today = fields.Date.context_today(Item)
        candidates = {}
        for collect in (
            partial(Item._collect_followups, preview=preview),
            Item._collect_broken_promises,
            Item._collect_late_installments,
            Item._collect_dispute_deadlines,
        ):
            for vals in collect(company, today):
                candidates[vals["key"]] = vals
        existing = Item.search([("company_id", "=", company.id)])
        stale = existing.filtered(lambda item: item.key not in candidates)
        stale.unlink()
        by_key = {item.key: item for item in existing - stale}
        partners = Item.env["res.partner"].browse({vals["partner_id"] for vals in candidates.values()})
        scores = Item.env["ar.partner.score"]._get_scores(partners.ids, company)
        collectors = {partner.id: partner.ar_collector_id.id for partner in partners.with_company(company)}
        top_amount = max([vals["amount"] for vals in candidates.values()] + [0.0])
        to_create = []
        for key, vals in candidates.items():
            score = scores.get(vals["partner_id"])
            vals.update(
                company_id=company.id,
                collector_id=collectors.get(vals["partner_id"]) or False,
                risk_score=score.score if score else 0,
                **Item._priority(vals["amount"], vals["days_overdue"], score.score if score else 0, top_amount),
            )
            if key in by_key:
                # a done item stays done; its figures follow the book (written when they changed)
                item = by_key[key]
                current = item._convert_to_write({fname: item[fname] for fname in vals})
                # compared as stored (floats at their digits, amounts at their currency's)
                changed = {
                    fname: value
                    for fname, value in vals.items()
                    if item._fields[fname].convert_to_cache(value, item)
                    != item._fields[fname].convert_to_cache(current[fname], item)
                }
                if changed:
                    item.write(changed)
            else:
                to_create.append(vals)
        return Item.create(to_create).sudo(False)

    def _priority(self, amount, days, risk, top_amount):
        """The priority (0-100) and its explanation: the share of the largest
        amount at stake today, the days overdue (full marks at 120) and the
        customer's risk score, weighted 40 / 30 / 30."""
        amount_points = AMOUNT_POINTS * amount / top_amount if top_amount > 0 else 0.0
        days_points = DAYS_POINTS * min(max(days, 0), DAYS_CAP) / DAYS_CAP
        risk_points = RISK_POINTS * min(max(risk, 0), 100) / 100
        return {
            "priority": round(amount_points + days_points + risk_points, 1),
            "amount_points": amount_points,
            "days_points": days_points,
            "risk_points": risk_points,
        }

    def _to_company_currency(self, record, amount, company, today):
        return record.currency_id._convert(amount, company.currency_id, company, today)

    def _collect_followups(self, company, today, preview=None):
        """Customers a follow-up run today would remind (as the batch preview decides)."""
        if preview is None:
            preview = self.env["ar.followup.batch"].new({"company_id": company.id, "date": today})
            preview = preview._prepare_line_vals_list()
        lines = [vals for vals in preview if vals["state"] == "planned"]
        figures = self.env["res.partner"]._ar_get_dunned_figures([vals["partner_id"] for vals in lines])
        levels = self.env["ar.followup.level"].browse([vals["level_id"] for vals in lines])
        result = []
        for vals in lines:
            level = levels.browse(vals["level_id"])
            total_due, overdue, oldest = figures.get(vals["partner_id"], (0.0, 0.0, None))
            if not level._is_worth_sending(total_due, overdue):
                continue  # under the tolerance: a run would skip it too
            result.append(
                {
                    "key": f"followup-{vals['partner_id']}-{level.id}",
                    "kind": "followup",
                    "partner_id": vals["partner_id"],
                    "level_id": level.id,
                    "date_action": today,
                    "amount": level._amount_at_stake(total_due, overdue),
                    "days_overdue": (today - oldest).days if oldest else 0,
                }
            )
        return result

    def _collect_broken_promises(self, company, today):
        promises = self.env["ar.payment.promise"].search(
            [
                ("company_id", "=", company.id),
                ("date_settled", ">=", today - timedelta(days=BROKEN_PROMISE_WINDOW)),
            ]
            + self.env["ar.collection.rules"]._case_state_domain("ar.payment.promise", "broken")
        )
        result = []
        for promise in promises:
            open_moves = promise.move_ids.filtered(self.env["ar.collection.rules"]._is_open_invoice)
            if not open_moves:
                continue
            result.append(
                {
                    "key": f"promise-{promise.id}",
                    "kind": "promise",
                    "partner_id": promise.partner_id.id,
                    "promise_id": promise.id,
                    "date_action": promise.date_settled,
                    "amount": sum(open_moves.mapped("amount_residual_signed")),
                    "days_overdue": (today - promise.promised_date).days,
                }
            )
        return result

    def _collect_late_installments(self, company, today):
        installments = self.env["ar.payment.plan.installment"].search(
            [("company_id", "=", company.id), ("state", "=", "late")]
            + [("plan_id", "any", self.env["ar.payment.plan"]._ar_pausing_domain())]
        )
        return [
            {
                "key": f"installment-{installment.id}",
                "kind": "installment",
                "partner_id": installment.plan_id.partner_id.id,
                "installment_id": installment.id,
                "date_action": installment.late_since or today,
                "amount": self._to_company_currency(
                    installment.plan_id, installment.amount - installment.amount_paid, company, today
                ),
                "days_overdue": (today - installment.date_due).days,
            }
            for installment in installments
        ]

    def _collect_dispute_deadlines(self, company, today):
        disputes = self.env["ar.dispute"].search(
            [
                ("company_id", "=", company.id),
                ("date_deadline", "<=", today),
            ]
            + self.env["ar.dispute"]._ar_pausing_domain()
        )
        return [
            {
                "key": f"dispute-{dispute.id}",
                "kind": "dispute",
                "partner_id": dispute.partner_id.id,
                "dispute_id": dispute.id,
                "date_action": dispute.date_deadline,
                "amount": self._to_company_currency(dispute, dispute.amount, company, today),
                "days_overdue": (today - dispute.date_deadline).days,
            }
            for dispute in disputes
        ]

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    def _cron_refresh_worklist(self):
        """Every company's worklist, on request (the Refresh button on a large book); at
        night the daily follow-up job refreshes it from its own preview."""
        companies = self.env["res.company"].search([])
        for company in companies:
            self._refresh(company)
        self.env["ir.cron"]._notify_progress(done=len(companies), remaining=0)
        return True
