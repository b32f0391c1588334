# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
from collections import defaultdict

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date, mute_logger

from ..report.ar_followup_batch_xlsx import build_batch_xlsx
from .ar_followup_batch_line import TOLERANCE_MESSAGE
from .common import fetch_without_jit, name_from_sequence

_logger = logging.getLogger(__name__)

BATCH_STATES = [
    ("draft", "Draft"),
    ("ready", "Ready"),
    ("running", "Running"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]


class ArFollowupBatch(models.Model):
    """A follow-up run: preview the customers to remind, adjust, run.

    Preview fills one line per customer. Running hands the lines to the
    ``ir_cron_followup_batch_run`` job, which executes them in chunks, each
    line in its own savepoint (see ``ar.followup.batch.line._execute``).
    """

    _name = "ar.followup.batch"
    _description = "Follow-up Batch"
    _inherit = "mail.thread"
    _order = "date desc, id desc"
    _check_company_auto = True

    # runs of up to this many customers started from a button happen at once
    _INLINE_RUN_LIMIT = 20

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, readonly=True, copy=False, default=lambda self: self.env._("New"))
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, tracking=True
    )
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    state = fields.Selection(BATCH_STATES, default="draft", required=True, readonly=True, copy=False, tracking=True)
    automatic = fields.Boolean(
        readonly=True, copy=False, help="Created by the daily job, for the automatic levels only."
    )
    # Filters
    collector_ids = fields.Many2many("res.users", string="Collectors", domain="[('share', '=', False)]")
    stage_ids = fields.Many2many("ar.collection.stage", string="Stages")
    level_ids = fields.Many2many("ar.followup.level", string="Levels", check_company=True)
    partner_ids = fields.Many2many("res.partner", string="Customers")
    min_overdue_amount = fields.Monetary(
        string="Minimum overdue", currency_field="currency_id", help="Leave out customers owing less than this."
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    # Lines and counters
    line_ids = fields.One2many("ar.followup.batch.line", "batch_id", string="Lines")
    line_count = fields.Integer(compute="_compute_counters")
    planned_count = fields.Integer(string="Remaining", compute="_compute_counters")
    done_count = fields.Integer(string="Done", compute="_compute_counters")
    skipped_count = fields.Integer(string="Skipped", compute="_compute_counters")
    failed_count = fields.Integer(string="Failed", compute="_compute_counters")
    has_failures = fields.Boolean(compute="_compute_counters")
    letter_count = fields.Integer(compute="_compute_counters")
    amount_overdue = fields.Monetary(compute="_compute_counters", currency_field="currency_id")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("line_ids.state", "line_ids.send_letter", "line_ids.amount_overdue")
    def _compute_counters(self):
        counts = defaultdict(int)
        amounts = defaultdict(float)
        letters = defaultdict(int)
        if self.ids:
            for batch, state, send_letter, count, amount in self.env["ar.followup.batch.line"]._read_group(
                [("batch_id", "in", self.ids)],
                ["batch_id", "state", "send_letter"],
                ["__count", "amount_overdue:sum"],
            ):
                counts[batch.id, state] += count
                amounts[batch.id] += amount
                if send_letter and state == "done":
                    letters[batch.id] += count
        for batch in self:
            bid = batch._origin.id
            batch.planned_count = counts[bid, "planned"]
            batch.done_count = counts[bid, "done"]
            batch.skipped_count = counts[bid, "skipped"]
            batch.failed_count = counts[bid, "failed"]
            batch.line_count = sum(counts[bid, state] for state in ("planned", "done", "skipped", "failed"))
            batch.has_failures = bool(batch.failed_count)
            batch.letter_count = letters[bid]
            batch.amount_overdue = amounts[bid]

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        return super().create(name_from_sequence(self.env, vals_list, self._name))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_run(self):
        if self.filtered(lambda b: b.state in ("running", "done")):
            raise UserError(
                self.env._(
                    "Batches that ran are kept as a record of what was sent (%(names)s). Cancel a draft instead.",
                    names=", ".join(self.filtered(lambda b: b.state in ("running", "done")).mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_preview(self):
        """Fill the batch with one line per customer to follow up."""
        for batch in self:
            if batch.state not in ("draft", "ready"):
                raise UserError(
                    self.env._("Batch %(name)s already ran: create a new batch to preview again.", name=batch.name)
                )
            batch.line_ids.unlink()
            self.env["ar.followup.batch.line"]._create_previewed(batch._prepare_line_vals_list())
            batch.state = "ready"
        return True

    def action_run(self):
        """Hand the planned lines to the follow-up job; it runs them in chunks."""
        for batch in self:
            if batch.state != "ready":
                raise UserError(self.env._("Preview batch %(name)s before running it.", name=batch.name))
            if not batch.line_ids.filtered(lambda line: line.state == "planned"):
                raise UserError(self.env._("Batch %(name)s has nothing to send.", name=batch.name))
            if batch.date > fields.Date.context_today(batch):
                raise UserError(
                    self.env._(
                        "Batch %(name)s is dated %(date)s: it can run on that day, not before.",
                        name=batch.name,
                        date=batch.date,
                    )
                )
        self._start_run()
        return True

    def _start_run(self):
        """Hand the batches' planned lines to the workers: the follow-up job, run again until
        nothing is left (and, with ``ar_collections_queue_job``, jobs of OCA's job queue). Any
        number of them drain a batch at once: each takes its lines with ``_claim_lines``."""
        # the statement pages the messages link to, made now in one transaction: workers
        # running the lines at once would otherwise race to make the same page
        Access = self.env["ar.statement.access"]
        for batch in self:
            Access._ensure_for(batch.line_ids.partner_id, batch.company_id)
        self.write({"state": "running"})
        self.env.ref("ar_collections.ir_cron_followup_batch_run")._trigger()

    def action_retry_failed(self):
        """Plan the failed lines again and run them."""
        for batch in self:
            failed = batch.line_ids.filtered(lambda line: line.state == "failed")
            if not failed:
                raise UserError(self.env._("Batch %(name)s has no failed line to retry.", name=batch.name))
            failed.write({"state": "planned", "result": False})
        self._start_run()
        return True

    def action_cancel(self):
        if self.filtered(lambda b: b.state not in ("draft", "ready")):
            raise UserError(self.env._("Only batches that have not run can be cancelled."))
        self.write({"state": "cancelled"})
        return True

    def action_reset_to_draft(self):
        if self.filtered(lambda b: b.state != "cancelled"):
            raise UserError(self.env._("Only cancelled batches go back to draft."))
        self.write({"state": "draft"})
        return True

    def action_print_letters(self):
        """One PDF with the letters of every customer reminded by letter."""
        self.ensure_one()
        partners = self.line_ids.filtered(lambda line: line.state == "done" and line.send_letter).partner_id
        if not partners:
            raise UserError(self.env._("Batch %(name)s sent no letter.", name=self.name))
        return (
            self.env.ref("ar_collections.action_report_customer_statement")
            .with_company(self.company_id)
            .report_action(partners)
        )

    def action_export_xlsx(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/ar_collections/batch/{self.id}/xlsx",
            "target": "download",
        }

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    @api.model
    def _create_for_partners(self, partners):
        """A draft batch of the current company for these customers (their commercial entities)."""
        return self.create(
            {"company_id": self.env.company.id, "partner_ids": [fields.Command.set(partners.commercial_partner_id.ids)]}
        )

    @api.model
    def _run_now_for(self, partners):
        """Preview and run a batch for these customers (one message each, whatever the number of
        invoices): small runs happen at once, larger ones through the follow-up job."""
        batch = self._create_for_partners(partners)
        batch.action_preview()
        if batch.line_ids.filtered(lambda line: line.state == "planned"):
            batch.action_run()
            if len(batch.line_ids) <= self._INLINE_RUN_LIMIT:
                batch.line_ids.filtered(lambda line: line.state == "planned")._execute()
                batch._notify_done()
        return batch._get_form_action()

    @api.model
    def _add_partners_to_draft(self, partners):
        """Add these customers to the user's draft batch (a new one if none)."""
        batch = self.search(
            [("state", "=", "draft"), ("create_uid", "=", self.env.uid), ("company_id", "=", self.env.company.id)],
            order="id desc",
            limit=1,
        )
        if batch:
            batch.partner_ids |= partners.commercial_partner_id
        else:
            batch = self._create_for_partners(partners)
        return batch._get_form_action()

    def _get_form_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def _export_xlsx(self):
        """The batch as an XLSX file (bytes); see ``report/ar_followup_batch_xlsx.py``."""
        self.ensure_one()
        return build_batch_xlsx(self.with_company(self.company_id))

    def _prepare_line_vals_list(self):
        """Lines for the customers this batch's filters select on its date.

        One query for the customers due a level (the stored decision of that day, the rule
        again where there is none), one per pausing source for the warnings, one for the
        customers' figures: none per customer or invoice.
        """
        self.ensure_one()
        batch = self.with_company(self.company_id)
        Move, Level = batch.env["account.move"], batch.env["ar.followup.level"]
        partner_ids = self.partner_ids.commercial_partner_id.ids or None
        rows = fetch_without_jit(self.env.cr, Level._due_by_customer_query(self.date, self.company_id.ids, partner_ids))
        partners = batch.env["res.partner"].browse([partner_id for partner_id, _moves, _level in rows])
        # a whole-book batch asks for every customer's pauses, not for a list of 20,000 ids
        paused_by_partner = defaultdict(set)
        of_partners = [("partner_id", "in", partners.ids)] if partner_ids else []
        for source in Move._ar_pause_sources():
            for record in source.search(
                source._ar_pausing_domain() + of_partners + [("company_id", "=", self.company_id.id)]
            ):
                paused_by_partner[record.partner_id.id].add(record._ar_pause_label())
        figures = partners._ar_get_dunned_figures(partners.ids)
        # the customers' fields read below, in a few queries; not all their fields
        partners.fetch(
            ["commercial_partner_id", "email", "ar_excluded", "ar_exclusion_reason"]
            + (["ar_collector_id"] if self.collector_ids else [])
            + (["ar_collection_stage_id"] if self.stage_ids else [])
        )
        # read for every customer at once, not one by one in the loop below
        excluded = dict(zip(partners.ids, partners.mapped("ar_excluded"), strict=True))
        recipient_of = partners._ar_followup_contact_ids()
        recipients = partners.browse(set(recipient_of.values()))
        email_of = dict(zip(recipients.ids, recipients.mapped("email"), strict=True))
        # what is the same for every customer read once: the filters, the levels, the messages
        matches = self._line_filter()
        levels_due = Level.browse({level_id for _partner, _moves, level_id in rows})
        worth_sending = {level.id: level._worth_sending_test() for level in levels_due}
        channels = {level.id: (level.send_email, level.send_letter, level.create_activity) for level in levels_due}
        level_of = {level.id: level for level in levels_due}
        tolerance = self.env._(TOLERANCE_MESSAGE)
        no_email = self.env._("No email address: the email cannot be sent.")
        excluded_message = self.env._("Excluded from follow-ups.")
        vals_list = []
        for partner, (_partner_id, move_ids, level_id) in zip(partners, rows, strict=True):
            total_due, overdue, _oldest = figures.get(partner.id, (0.0, 0.0, None))
            if not matches(partner, level_of[level_id], overdue):
                continue
            send_email, send_letter, create_activity = channels[level_id]
            warnings = []
            if excluded[partner.id]:
                warnings.append(
                    self.env._("Excluded from follow-ups: %(reason)s", reason=partner.ar_exclusion_reason or "-")
                )
            if paused_by_partner[partner.id]:
                warnings.append(
                    self.env._(
                        "Left out, follow-ups paused: %(reasons)s",
                        reasons="; ".join(sorted(paused_by_partner[partner.id])),
                    )
                )
            if not worth_sending[level_id](total_due, overdue):
                warnings.append(tolerance)
            # the customer of an invoice may have become another's contact since: its
            # commercial entity's recipient then (account.move keeps the customer it had)
            recipient_id = recipient_of[partner.commercial_partner_id.id]
            if send_email and not email_of[recipient_id]:
                warnings.append(no_email)
            vals_list.append(
                {
                    "batch_id": self.id,
                    "partner_id": partner.id,
                    "level_id": level_id,
                    "move_ids": [fields.Command.set(move_ids)],
                    "amount_overdue": overdue,
                    "send_email": send_email,
                    "send_letter": send_letter,
                    "create_activity": create_activity,
                    "recipient_id": recipient_id,
                    "warning": "\n".join(warnings) or False,
                    "state": "skipped" if excluded[partner.id] else "planned",
                    "result": excluded_message if excluded[partner.id] else False,
                }
            )
        return vals_list

    def _line_filter(self):
        """This batch's filters as a function of ``(customer, level due, overdue amount)``:
        whether the customer's line is kept. The filters are read once, for every customer."""
        self.ensure_one()
        automatic, minimum = self.automatic, self.min_overdue_amount
        collectors, stages, levels = self.collector_ids, self.stage_ids, self.level_ids

        def matches(partner, level, overdue):
            if automatic and not level.auto_execute:
                return False
            if collectors and partner.ar_collector_id not in collectors:
                return False
            if stages and partner.ar_collection_stage_id not in stages:
                return False
            if levels and level not in levels:
                return False
            return not (minimum and overdue < minimum)

        return matches

    def _notify_activities_assigned(self, user, activities):
        """Tell ``user`` of the follow-up activities this batch has just assigned them: Odoo's
        own "assigned to you" email for one; for several, one message in the user's language
        listing them, each customer linked."""
        self.ensure_one()
        if len(activities) == 1:
            activities.action_notify()
            return
        batch = self.with_context(lang=user.lang or self.env.lang)
        items = Markup().join(
            Markup('<li><a href="/odoo/res.partner/%s">%s</a>: %s (%s)</li>')
            % (
                activity.res_id,
                activity.res_name,
                activity.summary or activity.activity_type_id.name,
                format_date(batch.env, activity.date_deadline),
            )
            for activity in activities.with_env(batch.env)
        )
        batch.message_notify(
            partner_ids=user.partner_id.ids,
            subject=batch.env._(
                "%(count)s follow-up activities assigned to you by %(batch)s", count=len(activities), batch=batch.name
            ),
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (batch.env._("Follow-up batch %(batch)s assigned you these activities:", batch=batch.name), items),
            email_layout_xmlid="mail.mail_notification_layout",
        )

    def _notify_done(self):
        """Close the batches whose lines all ran, and say how it went."""
        for batch in self.filtered(lambda b: b.state == "running" and not b.planned_count):
            batch.state = "done"
            batch.message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Follow-up batch done: %(done)s sent, %(skipped)s skipped, %(failed)s failed.",
                    done=batch.done_count,
                    skipped=batch.skipped_count,
                    failed=batch.failed_count,
                ),
                subtype_xmlid="mail.mt_note",
            )

    @api.model
    def _close_finished(self):
        """Close the running batches with no line left to run. Workers finishing their last
        chunks at once each see the other's lines still planned (their snapshots began before
        the other committed), so neither closes the batch; the next call, with nothing left to
        take, does. Two such calls at once: the second is refused by PostgreSQL (the first
        closed the batch meanwhile), which is expected and leaves nothing to do."""
        running = self.search([("state", "=", "running")])
        if not running:
            return
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                running._notify_done()
                self.env.flush_all()
        except pg_errors.SerializationFailure:
            self.env.invalidate_all()

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    def _claim_lines(self, limit, line_ids=None):
        """Up to ``limit`` planned lines of running batches (of ``line_ids`` only, if given),
        locked for this transaction: ``FOR UPDATE SKIP LOCKED``, so that workers running at
        once never take the same line, and a line left by a crashed worker is taken again."""
        Line = self.env["ar.followup.batch.line"]
        Line.flush_model(["state", "batch_id"])
        self.flush_model(["state"])
        query = SQL(
            """
            SELECT line.id
              FROM ar_followup_batch_line line
              JOIN ar_followup_batch batch ON batch.id = line.batch_id
             WHERE line.state = 'planned' AND batch.state = 'running' %s
          ORDER BY line.batch_id, line.id
             LIMIT %s
               FOR UPDATE OF line SKIP LOCKED
            """,
            SQL("AND line.id = ANY(%s)", list(line_ids)) if line_ids is not None else SQL(),
            limit,
        )
        try:
            # a line this transaction's snapshot shows planned, run and committed by another
            # worker since, makes PostgreSQL refuse the lock (a serialization failure): expected
            # with several workers, so not logged; this call takes nothing, the next one (a new
            # transaction: the cron is called again while lines remain) takes what is left
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                self.env.cr.execute(query)
                ids = [row[0] for row in self.env.cr.fetchall()]
        except pg_errors.SerializationFailure:
            ids = []
        return Line.browse(ids)

    @api.model
    def _cron_run_batches(self, batch_size=50):
        """Run planned lines of running batches, ``batch_size`` at a time.

        Lines are claimed with ``FOR UPDATE SKIP LOCKED``: two workers never
        run the same line, and a line interrupted by a crash is simply still
        planned next time. Progress is reported so the job is called again
        (in a new transaction) until nothing remains.
        """
        Line = self.env["ar.followup.batch.line"]
        lines = self._claim_lines(batch_size)
        lines._execute()
        lines.batch_id._notify_done()
        if not lines:
            self._close_finished()
        remaining = Line.search_count([("state", "=", "planned"), ("batch_id.state", "=", "running")])
        self.env["ir.cron"]._notify_progress(done=len(lines), remaining=remaining)
        return lines

    @api.model
    def _cron_create_automatic_batches(self):
        """The daily job: per company, one preview of the whole book, used three times: a batch
        run for the automatic levels due today, a review activity for the collector of each
        customer due a manual level (once: not while one is pending), and the worklist."""
        batches = self.browse()
        Level = self.env["ar.followup.level"]
        for company in self.env["res.company"].search([]):
            today = fields.Date.context_today(self.with_company(company))
            preview = self.with_company(company).new({"company_id": company.id, "date": today})
            vals_list = preview._prepare_line_vals_list()
            automatic = [vals for vals in vals_list if Level.browse(vals["level_id"]).auto_execute]
            if any(vals["state"] == "planned" for vals in automatic):
                batch = self.with_company(company).create({"company_id": company.id, "automatic": True, "date": today})
                self.env["ar.followup.batch.line"]._create_previewed(
                    [dict(vals, batch_id=batch.id) for vals in automatic]
                )
                batch.state = "ready"
                batch.action_run()
                batches |= batch
            self.with_company(company)._schedule_manual_followups(company, today, vals_list)
            self.env["ar.worklist.item"]._refresh(company, preview=vals_list)
        return batches

    @api.model
    def _schedule_manual_followups(self, company, date, preview=None):
        """Put customers due a manual level on their collector's worklist; ``preview`` is the
        lines of a preview of the whole book on ``date`` (made here if not given)."""
        if preview is None:
            preview = self.with_company(company).new({"company_id": company.id, "date": date})._prepare_line_vals_list()
        vals_list = [
            vals
            for vals in preview
            if vals["state"] == "planned" and not self.env["ar.followup.level"].browse(vals["level_id"]).auto_execute
        ]
        review_type = self.env.ref("ar_collections.mail_activity_type_collection_review", raise_if_not_found=False)
        if not vals_list or not review_type:
            return self.env["mail.activity"]
        partner_ids = [vals["partner_id"] for vals in vals_list]
        pending = set(
            self.env["mail.activity"]
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", partner_ids),
                    ("activity_type_id", "=", review_type.id),
                ]
            )
            .mapped("res_id")
        )
        # browsed together, read together (prefetch), not one query per customer
        partners = {partner.id: partner for partner in self.env["res.partner"].browse(partner_ids)}
        levels = {level.id: level for level in self.env["ar.followup.level"].browse([v["level_id"] for v in vals_list])}
        # one create per level and collector, whatever the number of customers
        groups = defaultdict(lambda: self.env["res.partner"])
        for vals in vals_list:
            if vals["partner_id"] in pending:
                continue
            partner = partners[vals["partner_id"]]
            level = levels[vals["level_id"]]
            groups[level, level._get_activity_user(partner)] |= partner
        activities = self.env["mail.activity"]
        for (level, user), customers in groups.items():
            activities |= customers.activity_schedule(
                activity_type_id=review_type.id,
                summary=self.env._("Manual follow-up due: %(level)s", level=level.name),
                user_id=user.id,
                date_deadline=date,
            )
        return activities
