# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import operator as py_operator
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import SQL

from .ar_collection_rules import CREDIT_NOTE_TYPES, INVOICE_TYPES
from .common import wizard_action

COLLECTIONS_USER = "ar_collections.group_ar_collections_user"

OPERATORS = {
    "=": py_operator.eq,
    "!=": py_operator.ne,
    "<": py_operator.lt,
    "<=": py_operator.le,
    ">": py_operator.gt,
    ">=": py_operator.ge,
}


# written on a contact by the mail thread as whoever posts (not contact data)
AR_SYSTEM_FIELDS = frozenset(
    {
        "message_main_attachment_id",
        "activity_ids",
        "message_follower_ids",
        "message_ids",
        # the sending preferences Odoo's Send wizard remembers on the customer, as the sender
        "invoice_sending_method",
        "invoice_template_pdf_report_id",
    }
)


class ResPartner(models.Model):
    """Collections data of a customer (its commercial entity).

    Where the customer stands (stage, collector, exclusion) is stored per
    company. Amounts and levels are derived from the open receivables of the
    current company, in its currency, with one query for the whole
    recordset: see :meth:`_ar_get_receivable_figures`.
    """

    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    ar_collection_stage_id = fields.Many2one(
        "ar.collection.stage",
        string="Collection stage",
        company_dependent=True,
        groups=COLLECTIONS_USER,
        group_expand="_read_group_ar_collection_stage_id",
    )
    ar_collector_id = fields.Many2one(
        "res.users",
        string="Collector",
        company_dependent=True,
        groups=COLLECTIONS_USER,
        domain="[('share', '=', False)]",
        help="The person responsible for collecting this customer's receivables.",
    )
    ar_excluded = fields.Boolean(
        string="Excluded from follow-ups",
        company_dependent=True,
        groups=COLLECTIONS_USER,
    )
    ar_exclusion_reason = fields.Char(
        string="Exclusion reason",
        company_dependent=True,
        groups=COLLECTIONS_USER,
    )
    ar_company_id = fields.Many2one(
        "res.company",
        compute="_compute_ar_company_id",
        groups=COLLECTIONS_USER,
        help="The company whose collections figures are shown (the current one).",
    )
    ar_currency_id = fields.Many2one(
        "res.currency", string="Collections currency", compute="_compute_ar_company_id", groups=COLLECTIONS_USER
    )
    ar_total_due = fields.Monetary(
        string="Total due",
        compute="_compute_ar_receivable_figures",
        currency_field="ar_currency_id",
        groups=COLLECTIONS_USER,
        help="Open receivable balance in company currency: open invoices less unapplied credit notes and payments.",
    )
    ar_overdue_amount = fields.Monetary(
        string="Overdue",
        compute="_compute_ar_receivable_figures",
        search="_search_ar_overdue_amount",
        currency_field="ar_currency_id",
        groups=COLLECTIONS_USER,
        help="Residual of invoices past their due date, less unapplied credit notes "
        "and payments, never below zero; in company currency.",
    )
    ar_oldest_overdue_days = fields.Integer(
        string="Oldest overdue (days)",
        compute="_compute_ar_receivable_figures",
        groups=COLLECTIONS_USER,
    )
    # the entries of this commercial partner: what the follow-up figures below depend on, so
    # that the ORM forgets them when an invoice's decision changes
    ar_commercial_move_ids = fields.One2many(
        "account.move", "commercial_partner_id", string="Entries", groups=COLLECTIONS_USER
    )
    ar_open_invoice_ids = fields.Many2many(
        "account.move",
        string="Open invoices",
        compute="_compute_ar_followup",
        groups=COLLECTIONS_USER,
        help="Posted customer invoices and credit notes not fully paid, oldest due first.",
    )
    ar_followup_level_id = fields.Many2one(
        "ar.followup.level",
        string="Follow-up level",
        compute="_compute_ar_followup",
        groups=COLLECTIONS_USER,
        help="The level reached by the customer's most advanced open invoice.",
    )
    ar_due_level_id = fields.Many2one(
        "ar.followup.level",
        string="Level due",
        compute="_compute_ar_followup",
        groups=COLLECTIONS_USER,
        help="The level a follow-up run today would apply.",
    )
    ar_next_followup_date = fields.Date(
        string="Next follow-up",
        compute="_compute_ar_followup",
        search="_search_ar_next_followup_date",
        groups=COLLECTIONS_USER,
    )
    ar_followup_contact_id = fields.Many2one(
        "res.partner",
        string="Reminder recipient",
        compute="_compute_ar_followup_contact_id",
        groups=COLLECTIONS_USER,
        help="The customer's invoice address contact, else the customer itself.",
    )
    ar_history_ids = fields.One2many(
        "ar.followup.history", "partner_id", string="Follow-up history", groups=COLLECTIONS_USER
    )
    ar_payment_plan_count = fields.Integer(
        string="Payment plans", compute="_compute_ar_payment_plan_count", groups=COLLECTIONS_USER
    )
    ar_promise_count = fields.Integer(
        string="Promises made", compute="_compute_ar_promise_stats", groups=COLLECTIONS_USER
    )
    ar_promise_kept_ratio = fields.Float(
        string="Promises kept",
        compute="_compute_ar_promise_stats",
        groups=COLLECTIONS_USER,
        help="Share of the customer's settled promises (kept or broken) that were kept.",
    )
    ar_dispute_count = fields.Integer(
        string="Disputes opened", compute="_compute_ar_dispute_stats", groups=COLLECTIONS_USER
    )
    ar_dispute_open_count = fields.Integer(
        string="Open disputes", compute="_compute_ar_dispute_stats", groups=COLLECTIONS_USER
    )
    ar_dispute_avg_days = fields.Float(
        string="Average days to resolve a dispute",
        compute="_compute_ar_dispute_stats",
        groups=COLLECTIONS_USER,
        help="Over the customer's resolved and rejected disputes.",
    )

    ar_score_id = fields.Many2one(
        "ar.partner.score",
        string="Payment behaviour",
        compute="_compute_ar_score",
        groups=COLLECTIONS_USER,
    )
    ar_risk_score = fields.Integer(
        string="Risk score",
        compute="_compute_ar_score",
        search="_search_ar_risk_score",
        groups=COLLECTIONS_USER,
        help="0 (no sign of risk) to 100, recomputed every night; see the customer's payment behaviour.",
    )
    ar_risk_level = fields.Selection(
        [("low", "Low"), ("medium", "Medium"), ("high", "High")],
        string="Risk",
        compute="_compute_ar_score",
        groups=COLLECTIONS_USER,
    )
    ar_avg_days_late = fields.Float(
        string="Average days late", compute="_compute_ar_score", digits=(16, 1), groups=COLLECTIONS_USER
    )
    ar_late_trend = fields.Float(
        string="Lateness trend", compute="_compute_ar_score", digits=(16, 1), groups=COLLECTIONS_USER
    )
    ar_late_share = fields.Float(string="Share paid late", compute="_compute_ar_score", groups=COLLECTIONS_USER)
    ar_risk_explanation = fields.Char(
        string="Risk score explained", compute="_compute_ar_score", groups=COLLECTIONS_USER
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends_context("company", "lang")
    def _compute_ar_score(self):
        scores = self.env["ar.partner.score"]._get_scores(self.commercial_partner_id.ids, self.env.company)
        for partner in self:
            score = scores.get(partner.commercial_partner_id.id, self.env["ar.partner.score"])
            partner.ar_score_id = score
            partner.ar_risk_score = score.score
            partner.ar_risk_level = score.risk_level
            partner.ar_avg_days_late = score.avg_days_late
            partner.ar_late_trend = score.late_trend
            partner.ar_late_share = score.late_share
            partner.ar_risk_explanation = score._get_explanation() if score else False

    @api.model
    def _read_group_ar_collection_stage_id(self, stages, domain):
        return stages.search([])

    @api.depends_context("company")
    def _compute_ar_company_id(self):
        self.ar_company_id = self.env.company
        self.ar_currency_id = self.env.company.currency_id

    @api.depends_context("company")
    def _compute_ar_receivable_figures(self):
        figures = self._ar_get_receivable_figures(self.commercial_partner_id.ids)
        today = fields.Date.context_today(self)
        for partner in self:
            total, overdue, oldest = figures.get(partner.commercial_partner_id.id, (0.0, 0.0, None))
            partner.ar_total_due = total
            partner.ar_overdue_amount = overdue
            partner.ar_oldest_overdue_days = (today - oldest).days if oldest else 0

    @api.depends(
        "ar_commercial_move_ids.state",
        "ar_commercial_move_ids.payment_state",
        "ar_commercial_move_ids.ar_followup_level_id",
        "ar_commercial_move_ids.ar_due_level_id",
        "ar_commercial_move_ids.ar_next_followup_date",
    )
    @api.depends_context("company")
    def _compute_ar_followup(self):
        commercial = self.commercial_partner_id
        invoices = self.env["account.move"].search(
            [("commercial_partner_id", "in", commercial.ids)]
            + self.env["ar.collection.rules"]._open_invoice_domain(move_types=INVOICE_TYPES + CREDIT_NOTE_TYPES),
            order="invoice_date_due, id",
        )
        by_partner = defaultdict(lambda: self.env["account.move"])
        for invoice in invoices:
            by_partner[invoice.commercial_partner_id.id] |= invoice
        for partner in self:
            # the invoices' stored decision (see account.move.ar_due_level_id)
            partner_invoices = by_partner[partner.commercial_partner_id.id]
            reached = partner_invoices.ar_followup_level_id
            due_levels = partner_invoices.ar_due_level_id
            next_dates = [day for day in partner_invoices.mapped("ar_next_followup_date") if day]
            partner.ar_open_invoice_ids = partner_invoices
            partner.ar_followup_level_id = reached.sorted("delay")[-1:]
            partner.ar_due_level_id = due_levels.sorted("delay")[-1:]
            partner.ar_next_followup_date = min(next_dates) if next_dates else False

    def _ar_statement_url(self):
        """The signed link to this customer's statement page in its collections company, as
        reminders and statements carry it. The page's own PDF carries the link its visitor
        came with (``ar_statement_url`` in the context): downloading it renews nothing."""
        self.ensure_one()
        if self.env.context.get("ar_statement_url"):
            return self.env.context["ar_statement_url"]
        # the links of many customers, made together by whoever renders their reminders at once
        if self.id in (self.env.context.get("ar_statement_urls") or {}):
            return self.env.context["ar_statement_urls"][self.id]
        company = self.ar_company_id or self.env.company
        return self.env["ar.statement.access"]._get_for(self, company)._statement_url()

    @api.model
    def _ar_invalidate_followup(self):
        """Forget the customers' follow-up figures read from their invoices' stored decision
        once raw SQL changed it (the ORM forgets them itself after its own writes)."""
        self.invalidate_model(
            ["ar_open_invoice_ids", "ar_followup_level_id", "ar_due_level_id", "ar_next_followup_date"]
        )

    @api.depends_context("company")
    def _compute_ar_payment_plan_count(self):
        counts = dict(
            self.env["ar.payment.plan"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", self.env.company.id)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.ar_payment_plan_count = counts.get(partner.commercial_partner_id, 0)

    @api.depends_context("company")
    def _compute_ar_promise_stats(self):
        counts = defaultdict(int)
        for partner, state, count in self.env["ar.payment.promise"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", self.env.company.id)],
            ["partner_id", "state"],
            ["__count"],
        ):
            counts[partner.id, state] += count
        for partner in self:
            pid = partner.commercial_partner_id.id
            kept, broken = counts[pid, "kept"], counts[pid, "broken"]
            partner.ar_promise_count = sum(count for (key, _state), count in counts.items() if key == pid)
            partner.ar_promise_kept_ratio = kept / (kept + broken) if kept + broken else 0.0

    @api.depends_context("company")
    def _compute_ar_dispute_stats(self):
        Rules = self.env["ar.collection.rules"]
        opened, decided = Rules._case_states("ar.dispute", "pausing"), Rules._case_states("ar.dispute", "decided")
        counts = defaultdict(int)
        days = {}
        for partner, state, count, total_days in self.env["ar.dispute"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", self.env.company.id)],
            ["partner_id", "state"],
            ["__count", "resolution_days:sum"],
        ):
            counts[partner.id, state] += count
            if state in decided:
                days[partner.id] = days.get(partner.id, 0) + total_days
        for partner in self:
            pid = partner.commercial_partner_id.id
            closed = sum(counts[pid, state] for state in decided)
            partner.ar_dispute_count = closed + sum(counts[pid, state] for state in opened)
            partner.ar_dispute_open_count = sum(counts[pid, state] for state in opened)
            partner.ar_dispute_avg_days = days.get(pid, 0) / closed if closed else 0.0

    def _compute_ar_followup_contact_id(self):
        contact_of = self._ar_followup_contact_ids()
        for partner in self:
            partner.ar_followup_contact_id = contact_of[partner.commercial_partner_id.id]

    def _ar_followup_contact_ids(self):
        """``{commercial entity id: contact id}`` for these customers: who their reminders go
        to, the first invoice address of the entity with an email, else the entity itself. One
        query for all of them (``address_get`` would be one per customer)."""
        commercial_ids = self.commercial_partner_id.ids
        first_contact = {
            commercial.id: contact_id
            for commercial, contact_id in self._read_group(
                [
                    ("commercial_partner_id", "in", commercial_ids),
                    ("id", "not in", commercial_ids),
                    ("type", "=", "invoice"),
                    ("email", "!=", False),
                ],
                ["commercial_partner_id"],
                ["id:min"],
            )
        }
        return {partner_id: first_contact.get(partner_id, partner_id) for partner_id in commercial_ids}

    # ------------------------------------------------------------------
    # Searches
    # ------------------------------------------------------------------
    def _search_ar_overdue_amount(self, operator, value):
        if operator not in OPERATORS:
            raise UserError(self.env._("This filter does not support the operator %(operator)s.", operator=operator))
        figures = self._ar_get_receivable_figures()
        compare = OPERATORS[operator]
        value = value or 0.0
        matching = [pid for pid, (_total, overdue, _oldest) in figures.items() if compare(overdue, value)]
        if compare(0.0, value):
            # customers without any open receivable have 0.0 overdue too
            return ["|", ("commercial_partner_id", "in", matching), ("commercial_partner_id", "not in", list(figures))]
        return [("commercial_partner_id", "in", matching)]

    def _search_ar_risk_score(self, operator, value):
        if operator not in OPERATORS or not isinstance(value, int):
            raise UserError(self.env._("This filter does not support the operator %(operator)s.", operator=operator))
        Score = self.env["ar.partner.score"]
        company_domain = [("company_id", "=", self.env.company.id)]
        matching = Score.search(company_domain + [("score", operator, value)]).partner_id.ids
        if OPERATORS[operator](0, value):
            # customers without a score row score 0 too
            scored = Score.search(company_domain).partner_id.ids
            return ["|", ("commercial_partner_id", "in", matching), ("commercial_partner_id", "not in", scored)]
        return [("commercial_partner_id", "in", matching)]

    def _search_ar_next_followup_date(self, operator, value):
        if operator not in OPERATORS or not value:
            raise UserError(self.env._("This filter does not support the operator %(operator)s.", operator=operator))
        value = fields.Date.to_date(value)
        # the customer's next follow-up is the earliest of its invoices' (stored): one query
        next_dates = self.env["account.move"]._read_group(
            self.env["ar.collection.rules"]._open_invoice_domain() + [("ar_next_followup_date", "!=", False)],
            ["commercial_partner_id"],
            ["ar_next_followup_date:min"],
        )
        compare = OPERATORS[operator]
        return [("commercial_partner_id", "in", [partner.id for partner, day in next_dates if compare(day, value)])]

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def write(self, vals):
        """Collections users get write access to customers for their collection fields only
        (stage, collector, exclusion: the ``ar_`` fields); the rest of a contact stays with
        whoever core or another addon lets write contacts (Contact Creation, ...)."""
        # the entries relation is the ORM's dependency path, not a collection field to write
        other = {
            fname
            for fname in vals
            if (not fname.startswith("ar_") or fname == "ar_commercial_move_ids") and fname not in AR_SYSTEM_FIELDS
        }
        if other and not self.env.su and not self.env.user._ar_writes_contacts():
            raise AccessError(
                self.env._(
                    "You may change the collection fields of %(customers)s (stage, collector, exclusion), not "
                    "%(fields)s: ask someone who manages contacts.",
                    customers=", ".join(self.mapped("display_name")[:3]),
                    fields=", ".join(sorted(self._fields[fname]._description_string(self.env) for fname in other)),
                )
            )
        result = super().write(vals)
        if "ar_excluded" in vals:
            # excluding a customer (in this company) changes what is due on its invoices
            self._ar_recompute_due_levels()
        return result

    def _ar_recompute_due_levels(self, companies=None):
        """Decide again the levels due on the open invoices of these customers in ``companies``
        (the current one by default): after their exclusion changed, or after a merge moved
        other customers' invoices to them."""
        Move = self.env["account.move"]
        Rules = self.env["ar.collection.rules"]
        # sudo: the decision is the same whoever caused it, in companies the user may not see
        invoices = Move.sudo().search(
            [("commercial_partner_id", "in", self.commercial_partner_id.ids)]
            + expression.OR([Rules._open_invoice_domain(company=company) for company in companies or self.env.company])
        )
        for fname in ("ar_due_level_id", "ar_next_followup_date"):
            self.env.add_to_compute(Move._fields[fname], invoices)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_ar_exclude(self):
        return wizard_action(
            self.env._("Exclude from follow-ups"),
            "ar.followup.exclude",
            {"default_partner_ids": self.commercial_partner_id.ids},
        )

    def action_ar_log_call(self):
        self.ensure_one()
        return wizard_action(
            self.env._("Log a call"), "ar.followup.log.call", {"default_partner_id": self.commercial_partner_id.id}
        )

    def action_ar_include_in_followups(self):
        partners = self.commercial_partner_id.filtered("ar_excluded")
        partners.write({"ar_excluded": False, "ar_exclusion_reason": False})
        for partner in partners:
            partner.message_post(body=self.env._("Included in follow-ups again."), subtype_xmlid="mail.mt_note")
        return True

    def action_ar_offer_payment_plan(self):
        self.ensure_one()
        return self.env["ar.payment.plan.wizard"]._open_for(self, self.env.company)

    def action_ar_open_dispute(self):
        self.ensure_one()
        return self._ar_open_invoices_of_customer().action_ar_open_dispute()

    def action_ar_record_promise(self):
        self.ensure_one()
        return self._ar_open_invoices_of_customer().action_ar_record_promise()

    def _ar_open_invoices_of_customer(self):
        """The customer's overdue invoices in the current company (else all its open ones)."""
        invoices = self.ar_open_invoice_ids.filtered(lambda m: m.move_type in INVOICE_TYPES)
        if not invoices:
            raise UserError(
                self.env._(
                    "%(customer)s has no open invoice in %(company)s.",
                    customer=self.name,
                    company=self.env.company.name,
                )
            )
        return invoices.filtered(lambda m: m.ar_days_overdue > 0) or invoices

    def _ar_has_overdue_outside(self, moves):
        """Whether the customer has overdue invoices other than ``moves`` that follow-ups still demand."""
        self.ensure_one()
        Move, Rules = self.env["account.move"], self.env["ar.collection.rules"]
        others = Move.search(
            [("commercial_partner_id", "=", self.commercial_partner_id.id), ("id", "not in", moves.ids)]
            + Rules._open_invoice_domain()
            + Rules._maturity_domain("<", fields.Date.context_today(self))
        )
        held = Move._ar_get_held_move_ids(self.commercial_partner_id.ids)
        return bool(set(others.ids) - held)

    def action_ar_open_disputes(self):
        self.ensure_one()
        return self._ar_open_related("ar_collections.ar_dispute_action")

    def action_ar_open_promises(self):
        self.ensure_one()
        return self._ar_open_related("ar_collections.ar_payment_promise_action")

    def _ar_open_related(self, xmlid):
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_ar_open_payment_plans(self):
        self.ensure_one()
        return self._ar_open_related("ar_collections.ar_payment_plan_action")

    def action_ar_open_statement_page(self):
        """The customer's statement page as the customer sees it, through a fresh link."""
        self.ensure_one()
        if not self.env.user.has_group("ar_collections.group_ar_collections_user"):
            raise AccessError(self.env._("Only collections users open a customer's statement page."))
        return {"type": "ir.actions.act_url", "url": self._ar_statement_url(), "target": "new"}

    def action_ar_regenerate_statement_links(self):
        """Every statement link sent to this customer stops working (e.g. forwarded to the
        wrong person); the next reminder carries a new one."""
        self.ensure_one()
        company = self.ar_company_id or self.env.company
        self.env["ar.statement.access"]._get_for(self, company).sudo(False).action_regenerate()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "The statement links sent to %(customer)s so far no longer work.",
                    customer=self.commercial_partner_id.name,
                ),
            },
        }

    def action_ar_open_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("ar_collections.ar_followup_history_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_ar_open_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("ar_collections.account_move_action_overdue")
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_ar_open": 1}
        return action

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _ar_get_receivable_figures(self, partner_ids=None, exclude_move_ids=None):
        """Open receivable figures of commercial partners in the current company.

        One query for any number of partners. Amounts are residuals in
        company currency of posted receivable lines; a line belongs to the
        commercial entity of its partner.

        :param partner_ids: commercial partner ids; ``None`` for all customers.
        :param exclude_move_ids: leave these invoices out (what follow-ups do
            not demand now: see ``account.move._ar_get_held_move_ids``).
        :return: ``{commercial_partner_id: (total_due, overdue, oldest_due_date)}``
            where ``overdue`` is the residual of debit lines past due plus every
            open credit (unapplied credit notes and payments), floored at zero,
            and ``oldest_due_date`` the earliest due date of an overdue debit.
        """
        if partner_ids is not None and not partner_ids:
            return {}
        self.env.cr.execute(
            self._ar_receivable_figures_query(
                self.env.company,
                fields.Date.context_today(self),
                partner_ids=partner_ids,
                exclude_move_ids=exclude_move_ids,
            )
        )
        return {pid: (total or 0.0, overdue or 0.0, oldest) for pid, total, overdue, oldest in self.env.cr.fetchall()}

    @api.model
    def _ar_receivable_figures_query(self, company, today, partner_ids=None, exclude_move_ids=None):
        """SQL: ``partner_id, total_due, overdue, oldest_due`` per commercial
        partner of ``company`` (see ``_ar_get_receivable_figures``); also a
        building block of the nightly risk score."""
        Rules = self.env["ar.collection.rules"]
        return SQL(
            """
            SELECT item.partner_id,
                   SUM(item.residual) AS total_due,
                   GREATEST(COALESCE(SUM(item.residual) FILTER (WHERE %(overdue_net)s), 0), 0) AS overdue,
                   MIN(item.date_maturity) FILTER (WHERE item.residual > 0 AND %(overdue)s) AS oldest_due
              FROM (%(items)s) item
          GROUP BY item.partner_id
            """,
            overdue_net=Rules._overdue_net_sql("item", today),
            overdue=Rules._overdue_sql("item", today),
            items=Rules._items_query(company.ids, partner_ids=partner_ids, exclude_move_ids=exclude_move_ids),
        )

    def _ar_get_dunned_figures(self, partner_ids):
        """Receivable figures of what follow-ups demand: without paused
        (plan, dispute, promise) and excluded invoices. The tolerance and
        the batches use these; the customer's screen shows the full figures."""
        held = self.env["account.move"]._ar_get_held_move_ids(list(partner_ids))
        return self._ar_get_receivable_figures(partner_ids, exclude_move_ids=held)

    def _ar_notify_breach(self, record, body, summary, responsible):
        """A plan or promise of this customer was broken: say why in its chatter
        and the customer's, and give the collector (else ``responsible``) a call to make."""
        self.ensure_one()
        record.message_post(body=body)
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        return record.activity_schedule(
            "ar_collections.mail_activity_type_collection_call",
            summary=summary,
            note=body,
            user_id=(self.ar_collector_id or responsible or self.env.user).id,
        )

    def _ar_set_stage(self, stage, reason=None):
        """Move customers (their commercial entity) to ``stage`` in the current
        company and say so in their chatter (one write and one batch of notes for all)."""
        bodies = {}
        for partner in self.commercial_partner_id:
            previous = partner.ar_collection_stage_id
            if previous == stage:
                continue
            bodies[partner.id] = Markup("<p>%s</p>") % self.env._(
                "Collection stage: %(old)s → %(new)s%(reason)s",
                old=previous.name or self.env._("none"),
                new=stage.name or self.env._("none"),
                reason=f" ({reason})" if reason else "",
            )
        if bodies:
            changed = self.browse(bodies)
            changed.ar_collection_stage_id = stage
            changed._message_log_batch(bodies=bodies)
