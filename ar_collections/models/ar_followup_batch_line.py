# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import mute_logger
from odoo.tools.translate import LazyTranslate

_logger = logging.getLogger(__name__)

_lt = LazyTranslate(__name__)

TOLERANCE_MESSAGE = _lt("Owes nothing above the company's tolerance once credit notes and payments are deducted.")

LINE_STATES = [
    ("planned", "Planned"),
    ("done", "Done"),
    ("skipped", "Skipped"),
    ("failed", "Failed"),
]


class ArFollowupBatchLine(models.Model):
    """One customer of a follow-up batch: the level, its invoices, channels."""

    _name = "ar.followup.batch.line"
    _description = "Follow-up Batch Line"
    _order = "batch_id, id"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    batch_id = fields.Many2one("ar.followup.batch", required=True, index=True, ondelete="cascade", check_company=True)
    company_id = fields.Many2one(related="batch_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True)
    level_id = fields.Many2one("ar.followup.level", required=True, check_company=True)
    move_ids = fields.Many2many("account.move", string="Invoices", check_company=True)
    amount_overdue = fields.Monetary(string="Overdue", currency_field="currency_id")
    send_email = fields.Boolean(string="Email")
    send_letter = fields.Boolean(string="Letter")
    create_activity = fields.Boolean(string="Activity")
    recipient_id = fields.Many2one("res.partner", domain="[('commercial_partner_id', '=', partner_id)]")
    warning = fields.Text(readonly=True)
    state = fields.Selection(LINE_STATES, default="planned", required=True, readonly=True, index=True)
    result = fields.Text(readonly=True, help="What happened when the line ran, or why it failed.")
    history_ids = fields.Many2many("ar.followup.history", readonly=True, copy=False)

    # ------------------------------------------------------------------
    # Onchanges
    # ------------------------------------------------------------------
    @api.onchange("level_id")
    def _onchange_level_id(self):
        for line in self:
            line.send_email = line.level_id.send_email
            line.send_letter = line.level_id.send_letter
            line.create_activity = line.level_id.create_activity

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def write(self, vals):
        user_fields = {"level_id", "send_email", "send_letter", "create_activity", "recipient_id"}
        if user_fields & set(vals) and self.filtered(lambda line: line.state != "planned"):
            raise UserError(self.env._("Only planned lines can be changed; this one already ran."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_ran(self):
        if self.filtered(lambda line: line.state == "done"):
            raise UserError(self.env._("Lines that ran are kept as a record of what was sent."))

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _channels_label(self):
        self.ensure_one()
        labels = [
            (self.send_email, self.env._("email")),
            (self.send_letter, self.env._("letter")),
            (self.create_activity, self.env._("activity")),
        ]
        return ", ".join(label for selected, label in labels if selected)

    def _execute(self):
        """Run each line in its own savepoint: a line that fails is marked
        failed with the reason, the others go on. A level already applied to
        an invoice through a channel (by another batch, the daily job or a
        person) makes the database refuse the history line: that line is
        skipped, its message is rolled back with it and never leaves.

        What is due is decided again now, for all the lines of a batch at
        once: the customers' figures in one query, the level rule on all
        their invoices in one pass.
        """
        for batch in self.batch_id:
            lines = (self & batch.line_ids).with_company(batch.company_id)
            if not batch.create_uid._is_superuser() and batch.create_uid.active:
                # the job runs as OdooBot: messages and history are the batch creator's
                lines = lines.with_user(batch.create_uid)
            partners = lines.partner_id.commercial_partner_id
            figures = partners._ar_get_dunned_figures(partners.ids)
            invoices = lines.move_ids.filtered(
                lambda m: self.env["ar.collection.rules"]._is_open_invoice(m) and not m.ar_excluded
            )
            due = self.env["ar.followup.level"].with_company(batch.company_id)._get_due_levels(invoices, batch.date)
            statements = lines._render_statements()
            for line in lines:
                line._execute_one(figures, due, statements)

    def _render_statements(self):
        """``{customer id: statement PDF}`` for the lines that email, rendered together in one
        wkhtmltopdf process (see ``ir.actions.report``). Nothing is written; if this fails,
        each line renders its own statement, and fails alone if that fails too."""
        partners = self.filtered(
            lambda line: line.state == "planned" and line.send_email and line.level_id.email_attach_statement
        ).partner_id
        partners = partners.commercial_partner_id
        if len(partners) < 2:
            return {}
        try:
            with self.env.cr.savepoint():
                streams, report_type = self.env["ir.actions.report"]._pre_render_qweb_pdf(
                    "ar_collections.action_report_customer_statement", res_ids=partners.ids
                )
        except Exception:  # the lines render one by one instead; the traceback goes to the log
            _logger.exception("Statements of %s customers could not be rendered together", len(partners))
            return {}
        if report_type != "pdf":  # Odoo's tests render reports as HTML, one by one
            return {}
        return {res_id: data["stream"].getvalue() for res_id, data in streams.items() if res_id and data["stream"]}

    def _execute_one(self, figures, due, statements=None):
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                state, result = self._run(figures, due, statements or {})
        except pg_errors.UniqueViolation:
            state, result = "skipped", self.env._("Already sent: this level went out for these invoices.")
        except pg_errors.SerializationFailure:
            # another transaction changed these invoices meanwhile: decide again in a fresh one
            state, result = "planned", self.env._("Another run was updating this customer; it will be retried.")
        except UserError as error:
            state, result = "failed", str(error)
        except Exception as error:  # isolate any failure to its line; the traceback goes to the log
            _logger.exception("Follow-up batch line %s failed", self.id)
            state, result = "failed", self.env._("Unexpected error: %(error)s", error=error)
        self.write({"state": state, "result": result})

    def _run(self, figures, due, statements=None):
        """Apply the line's level; return ``(state, result message)``.

        :param figures: the customers' receivable figures, decided now
            (see ``res.partner._ar_get_receivable_figures``).
        :param due: the level rule's decision for the invoices, now.
        :param statements: statement PDFs rendered for the chunk, by customer id.
        Paid, excluded or no longer due invoices are left out, and the
        customer's tolerance is checked again.
        """
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        if partner.ar_excluded:
            return "skipped", self.env._("Excluded from follow-ups.")
        foreign = (self.move_ids.commercial_partner_id | self.recipient_id.commercial_partner_id) - partner
        if foreign:
            raise UserError(
                self.env._(
                    "This line mixes customers (%(others)s) with %(customer)s: its invoices and recipient "
                    "must be %(customer)s's.",
                    others=", ".join(foreign.mapped("name")),
                    customer=partner.name,
                )
            )
        invoice_levels = self.env["ar.followup.level"]._levels_applied(
            {invoice: due.get(invoice.id, (None, None))[0] for invoice in self.move_ids}, self.level_id
        )
        if not invoice_levels:
            return "skipped", self.env._("Nothing is due any more: paid, excluded or already reminded.")
        total_due, overdue, _oldest = figures.get(partner.id, (0.0, 0.0, None))
        if not self.level_id._is_worth_sending(total_due, overdue):
            return "skipped", self.env._(TOLERANCE_MESSAGE)
        if not (self.send_email or self.send_letter or self.create_activity):
            raise UserError(self.env._("No channel is selected: choose email, letter or activity."))
        histories = self.env["ar.followup.history"]
        done = []
        if self.send_email:
            message = self._send_email(partner, (statements or {}).get(partner.id))
            histories |= self._record_once(partner, "email", "sent", invoice_levels, message=message)
            done.append(self.env._("email to %(email)s", email=self.recipient_id.email))
        if self.send_letter:
            histories |= self._record_once(partner, "letter", "printed", invoice_levels)
            done.append(self.env._("letter"))
        if self.create_activity:
            activity = self._schedule_activity(partner)
            histories |= self._record_once(partner, "activity", "scheduled", invoice_levels, note=activity.summary)
            done.append(self.env._("activity for %(user)s", user=activity.user_id.name))
        self.history_ids = histories
        return "done", ", ".join(done)

    def _record_once(self, partner, channel, outcome, invoice_levels, **kwargs):
        """Record the history and write it at once, so that the unique index
        refuses a level already applied (raising ``UniqueViolation``) here,
        inside the line's savepoint. That refusal is expected when runs
        overlap: Odoo's "bad query" log of it is muted."""
        with mute_logger("odoo.sql_db"):
            history = self.env["ar.followup.history"]._record(partner, channel, outcome, invoice_levels, **kwargs)
            self.env["ar.followup.history.line"].flush_model()
        return history

    def _send_email(self, partner, statement=None):
        """Post the level's email on the customer, with its statement PDF if the level attaches
        it (``statement``, or rendered now); it leaves through the mail queue. Every email links
        to the customer's statement page."""
        template = self.level_id.mail_template_id
        if not template:
            raise UserError(
                self.env._("Level %(level)s has no email template: set one or untick Email.", level=self.level_id.name)
            )
        recipient = self.recipient_id or partner.ar_followup_contact_id
        if not recipient.email:
            raise UserError(
                self.env._(
                    "%(contact)s has no email address: add one on the contact or untick Email.", contact=recipient.name
                )
            )
        attachment = self.env["ir.attachment"]
        if self.level_id.email_attach_statement:
            attachment = self._statement_attachment(partner, statement)
        # rendered in the customer's language by the template; queued, not sent inline
        return partner.with_context(mail_notify_force_send=False).message_post_with_source(
            template,
            subtype_xmlid="mail.mt_comment",
            message_type="comment",
            partner_ids=recipient.ids,
            attachment_ids=attachment.ids,
        )

    def _statement_attachment(self, partner, content=None):
        if content is None:
            report = self.env.ref("ar_collections.action_report_customer_statement")
            content, _type = self.env["ir.actions.report"]._render_qweb_pdf(report, partner.ids)
        return self.env["ir.attachment"].create(
            {
                "name": self.env._("Statement %(customer)s.pdf", customer=partner.name),
                "raw": content,
                "res_model": "res.partner",
                "res_id": partner.id,
                "mimetype": "application/pdf",
            }
        )

    def _schedule_activity(self, partner):
        level = self.level_id
        return partner.activity_schedule(
            activity_type_id=level.activity_type_id.id,
            summary=level.activity_summary or level.name,
            note=level.activity_note,
            user_id=level._get_activity_user(partner).id,
            date_deadline=self.batch_id.date + timedelta(days=level.activity_delay_days),
        )
