# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
import uuid
from collections import defaultdict
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, clean_context, mute_logger
from odoo.tools.translate import LazyTranslate

from .common import array_literal, insert_many2many

_logger = logging.getLogger(__name__)

_lt = LazyTranslate(__name__)

# the index that refuses a level applied twice to an invoice through a channel
HISTORY_ONCE_INDEX = "ar_followup_history_line_level_once_uniq"

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

    @api.model
    def _create_previewed(self, vals_list):
        """Create the lines a preview decided (``ar.followup.batch._prepare_line_vals_list``:
        the customers, invoices and levels of the batch's company, by construction) in three
        queries whatever their number, where the ORM's create would spend seconds on a whole
        book checking the company of every invoice of every line again."""
        self.check_access("create")
        if not vals_list:
            return self.browse()
        self.env.flush_all()
        batches = self.env["ar.followup.batch"].browse({vals["batch_id"] for vals in vals_list})
        # sudo: the lines' company is their batch's; the record rules are checked on the lines
        company_of = {batch.id: batch.company_id.id for batch in batches.sudo()}
        with self.env.cr.savepoint():  # refused by the record rules: nothing is left
            lines = self._insert_previewed(vals_list, company_of)
            lines.check_access("create")  # the record rules the ORM's create checks
        batches.invalidate_recordset()
        return lines

    def _insert_previewed(self, vals_list, company_of):
        """The INSERTs of :meth:`_create_previewed`; ``move_ids`` given as ``Command.set``."""
        self.env.cr.execute(
            SQL(
                "SELECT nextval(pg_get_serial_sequence('ar_followup_batch_line', 'id')) FROM generate_series(1, %s)",
                len(vals_list),
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]

        def column(name, default=None):
            return array_literal([vals.get(name) or default for vals in vals_list])

        self.env.cr.execute(
            SQL(
                """
                INSERT INTO ar_followup_batch_line
                       (id, batch_id, company_id, partner_id, level_id, amount_overdue, send_email, send_letter,
                        create_activity, recipient_id, warning, state, result,
                        create_uid, create_date, write_uid, write_date)
                SELECT new.*, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(id)s::integer[], %(batch)s::integer[], %(company)s::integer[], %(partner)s::integer[],
                              %(level)s::integer[], %(amount)s::numeric[], %(email)s::boolean[], %(letter)s::boolean[],
                              %(activity)s::boolean[], %(recipient)s::integer[], %(warning)s::text[],
                              %(state)s::varchar[], %(result)s::text[]) AS new
                """,
                uid=self.env.uid,
                now=self.env.cr.now(),
                id=array_literal(ids),
                batch=column("batch_id"),
                company=array_literal([company_of[vals["batch_id"]] for vals in vals_list]),
                partner=column("partner_id"),
                level=column("level_id"),
                amount=column("amount_overdue", 0.0),
                email=column("send_email", False),
                letter=column("send_letter", False),
                activity=column("create_activity", False),
                recipient=column("recipient_id"),
                warning=column("warning"),
                state=column("state", "planned"),
                result=column("result"),
            )
        )
        pairs = [
            (line_id, move_id)
            for line_id, vals in zip(ids, vals_list, strict=True)
            for _set, _zero, move_ids in vals.get("move_ids") or []
            for move_id in move_ids
        ]
        insert_many2many(self.env, self._fields["move_ids"], pairs)
        return self.browse(ids)

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
        """Run the lines, each batch's all together when they all can (see
        :meth:`_execute_together`), otherwise each line in its own savepoint: a line that fails
        is marked failed with the reason, the others go on. A level already applied to an
        invoice through a channel (by another batch, the daily job or a person) makes the
        database refuse the history line: that line is skipped, its message is rolled back
        with it and never leaves.

        What is due is decided again now, for all the lines of a batch at once: the
        customers' figures in one query, the level rule on all their invoices in one pass.
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
            lines, decisions = lines._fail_invalid(figures, due)
            # the statements and the emails link to the invoices: their tokens made first, together
            lines._ensure_portal_tokens(lines.partner_id.commercial_partner_id.ar_open_invoice_ids)
            # and to the statement pages of the customers emailed: made once for the chunk (if
            # that fails, each line makes its own, and fails or waits alone)
            emailing = lines.filtered("send_email").filtered(
                lambda line, decisions=decisions: isinstance(decisions[line.id], dict)
            )
            try:
                with self.env.cr.savepoint():
                    urls = lines._statement_urls(emailing.partner_id.commercial_partner_id)
            except pg_errors.Error:
                urls = {}
            lines = lines.with_context(ar_statement_urls=urls)
            statements = lines._render_statements()
            if not lines._execute_together(figures, due, statements, decisions):
                for line in lines:
                    line._execute_one(figures, due, statements)

    def _fail_invalid(self, figures, due):
        """Mark failed, with the reason, the lines that cannot run as set (no email address, no
        template, no channel...); return the others, which can then go out together, and what
        each of them does (``{line id: decision}``, see :meth:`_decide`)."""
        failed, decisions = {}, {}
        for line in self:
            try:
                decisions[line.id] = line._decide(figures, due)
                if isinstance(decisions[line.id], dict) and line.send_email:
                    line._email_recipient()
            except UserError as error:
                failed[line] = str(error)
        for line, error in failed.items():
            line.write({"state": "failed", "result": error})
        return self.filtered(lambda line: line not in failed), decisions

    def _execute_together(self, figures, due, statements, decisions):
        """Run these lines at once in one savepoint: their emails rendered and posted together,
        their history written in one go, in a fixed number of queries. ``False``, with nothing
        written, if any of them would fail or be refused (already sent, or being changed by
        another run): the caller then runs them one by one, so that each fails alone."""
        if len(self) < 2:
            return False
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                results = self._run(figures, due, statements, decisions)
                for line in self:
                    state, result = results[line]
                    line.write({"state": state, "result": result})
        except (UserError, ValidationError, pg_errors.Error, ValueError, TypeError, KeyError, AttributeError) as error:
            # what a line's data or template can raise, or the database's refusal: one by one,
            # the line at fault fails alone (or is skipped), with its error logged then. Anything
            # else (a worker's CPU or memory limit) stops the chunk, which runs again later.
            _logger.info("%s follow-up lines run one by one: %s", len(self), error)
            return False
        return True

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
                Report = self.env["ir.actions.report"].with_context(ar_statement_urls=self._statement_urls(partners))
                streams, report_type = Report._pre_render_qweb_pdf(
                    "ar_collections.action_report_customer_statement", res_ids=partners.ids
                )
        except Exception:  # the lines render one by one instead; the traceback goes to the log
            _logger.exception("Statements of %s customers could not be rendered together", len(partners))
            return {}
        if report_type != "pdf":  # Odoo's tests render reports as HTML, one by one
            return {}
        return {res_id: data["stream"].getvalue() for res_id, data in streams.items() if res_id and data["stream"]}

    def _statement_urls(self, partners):
        """``{customer id: link to its statement page}``, the pages made for all ``partners`` at
        once (those the context already links kept); given to the templates and the statements
        in the context (see ``res.partner._ar_statement_url``)."""
        known = self.env.context.get("ar_statement_urls") or {}
        missing = partners.filtered(lambda partner: partner.id not in known)
        return {
            **known,
            **{
                page.partner_id.id: page._statement_url()
                for company, customers in missing.grouped(lambda p: p.ar_company_id or self.env.company).items()
                for page in self.env["ar.statement.access"]._ensure_for(customers, company)
            },
        }

    def _execute_one(self, figures, due, statements=None):
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                state, result = self._run(figures, due, statements)[self]
        except pg_errors.UniqueViolation as error:
            if error.diag.constraint_name != HISTORY_ONCE_INDEX:
                _logger.exception("Follow-up batch line %s failed", self.id)
                state, result = "failed", self.env._("Unexpected error: %(error)s", error=error)
            else:
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

    def _run(self, figures, due, statements=None, decisions=None):
        """Apply the lines' levels; return ``{line: (state, result message)}``. Raises if a line
        cannot run as set (``UserError``), or when the database refuses a level already applied
        (``UniqueViolation``, on the history written and flushed here).

        :param figures: the customers' receivable figures, decided now
            (see ``res.partner._ar_get_receivable_figures``).
        :param due: the level rule's decision for the invoices, now.
        :param statements: statement PDFs rendered for the chunk, by customer id.
        :param decisions: what the lines do, decided already for these figures (by line id).
        """
        results, todo = {}, {}
        for line in self:
            decision = decisions[line.id] if decisions and line.id in decisions else line._decide(figures, due)
            if isinstance(decision, dict):
                todo[line] = decision
            else:
                results[line] = decision
        lines = self.browse([line.id for line in todo])
        messages = lines.filtered("send_email")._post_emails(statements or {})
        activities = lines.filtered("create_activity")._schedule_activities()
        actions, done = [], defaultdict(list)
        for line, invoice_levels in todo.items():
            partner = line.partner_id.commercial_partner_id
            action = {"partner": partner, "invoice_levels": invoice_levels}
            if line.send_email:
                message = messages[line]
                actions.append((line, dict(action, channel="email", outcome="sent", message=message)))
                done[line].append(self.env._("email to %(email)s", email=message.partner_ids[:1].email))
            if line.send_letter:
                actions.append((line, dict(action, channel="letter", outcome="printed")))
                done[line].append(self.env._("letter"))
            if line in activities:
                activity = activities[line]
                actions.append((line, dict(action, channel="activity", outcome="scheduled", note=activity.summary)))
                done[line].append(self.env._("activity for %(user)s", user=activity.user_id.name))
        histories = self.env["ar.followup.history"]._record_many([action for _line, action in actions])
        # the lines are planned: none has a history yet
        insert_many2many(
            self.env,
            self._fields["history_ids"],
            [(line.id, history.id) for (line, _action), history in zip(actions, histories, strict=True)],
        )
        # written now, inside the caller's savepoint, so that the unique index on the history
        # refuses a level already applied here; that refusal is expected when runs overlap, so
        # Odoo's "bad query" log of it is muted
        with mute_logger("odoo.sql_db"):
            self.env["ar.followup.history.line"].flush_model()
        results.update((line, ("done", ", ".join(labels))) for line, labels in done.items())
        # an activity only, not scheduled (Odoo's mail_activity_automation_skip context): to retry
        results.update(
            (line, ("failed", self.env._("No activity could be scheduled here: Odoo's activities are switched off.")))
            for line in todo
            if line not in done
        )
        return results

    def _decide(self, figures, due):
        """What the line does now: the ``{invoice: level}`` to apply, or ``(state, result
        message)`` when there is nothing to send. Paid, excluded or no longer due invoices are
        left out, and the customer's tolerance is checked again. Raises ``UserError`` when the
        line cannot run as set."""
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
        return invoice_levels

    def _email_recipient(self):
        """The contact the line's email goes to; raises ``UserError`` if it cannot be sent."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        if not self.level_id.mail_template_id:
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
        return recipient

    def _post_emails(self, statements):
        """Post each line's level email on its customer; return ``{line: mail.message}``.

        What Odoo's ``message_post`` of a template does for one customer, done for all of them
        at once: each template rendered in one pass on all its customers (in each customer's
        language), the statement PDF attached where the level says so (``statements``: the
        PDFs rendered for the chunk, by customer id; rendered here if missing), every email
        linking to the customer's statement page; the messages in the customers' chatter (a
        comment by the current user, who follows the customer from then on), the emails in
        Odoo's notification layout, queued, not sent inline, and the recipients'
        notifications (delivery status, bounces) created together. Only the recipient is
        notified: the customer's followers see the reminder in its chatter.
        """
        if not self:
            return {}
        author = self.env.user.partner_id
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        recipients = {line: line._email_recipient() for line in self}
        partners = self.partner_id.commercial_partner_id
        attachments = self._statement_attachments(statements)
        urls = self._statement_urls(partners)
        alias_domains = partners._mail_get_alias_domains(default_company=self.env.company)
        companies = partners._mail_get_companies(default=self.env.company)
        reply_tos = partners._notify_get_reply_to(default=False)
        msg_vals_list, mail_extras = [], []
        for template, lines in self.grouped(lambda line: line.level_id.mail_template_id).items():
            render_fields = ["subject", "body_html", "email_from", "lang", "auto_delete", "email_layout_xmlid"]
            render_fields += ["mail_server_id", "attachment_ids", "report_template_ids", "scheduled_date"]
            rendered = template.with_context(ar_statement_urls=urls)._generate_template(
                lines.partner_id.commercial_partner_id.ids, render_fields
            )
            for line in lines:
                partner = line.partner_id.commercial_partner_id
                values = rendered[partner.id]
                # a template without sender sends from the current user, as Odoo's composer does
                author_id, email_from = partner._message_compute_author(
                    author.id, values.get("email_from") or None, raise_on_email=True
                )
                # the template's own files are copied for each message, as Odoo's composer does:
                # removing one from a customer's chatter must not remove it from the template
                attachment_ids = (
                    self.env["ir.attachment"]
                    .browse(values.get("attachment_ids") or [])
                    .copy({"res_model": partner._name, "res_id": partner.id})
                    .ids
                )
                attachment_ids += line._report_attachments(partner, values.get("attachments") or []).ids
                attachment_ids += attachments.get(line, self.env["ir.attachment"]).ids
                msg_vals_list.append(
                    {
                        "model": partner._name,
                        "res_id": partner.id,
                        "record_name": partner.display_name,
                        "author_id": author_id,
                        "email_from": email_from,
                        "reply_to": reply_tos.get(partner.id) or email_from,
                        "subject": values.get("subject") or False,
                        "body": values.get("body_html") or "",
                        "message_type": "comment",
                        "subtype_id": subtype_id,
                        "tracking_value_ids": [],  # none: the layout then looks for none
                        "partner_ids": recipients[line].ids,
                        "attachment_ids": [fields.Command.set(attachment_ids)],
                        "email_add_signature": False,
                        "email_layout_xmlid": values.get("email_layout_xmlid") or False,
                        "mail_server_id": values.get("mail_server_id") or False,
                        "record_alias_domain_id": alias_domains[partner.id].id,
                        "record_company_id": companies[partner.id].id,
                    }
                )
                mail_extras.append(
                    (line, partner, values.get("lang"), values.get("auto_delete", True), values.get("scheduled_date"))
                )
        messages = partners._message_create(msg_vals_list)
        if self.env.user.active and not self.env.context.get("mail_create_nosubscribe"):
            partners._message_subscribe(partner_ids=author.ids)
        self._queue_emails(messages, msg_vals_list, mail_extras, subtype_id)
        return {line: message for (line, *_rest), message in zip(mail_extras, messages, strict=True)}

    @api.model
    def _ensure_portal_tokens(self, invoices):
        """Give the invoices that have none the portal access token the reminders' links to
        them carry, in one query: Odoo's ``_portal_ensure_token`` writes them one at a time,
        and each write of an invoice checks the whole journal entry again (5 queries each)."""
        # sudo: the token is a technical field of the invoices the reminders link to
        missing = invoices.sudo().filtered(lambda move: not move.access_token)
        if not missing:
            return
        missing.flush_recordset(["access_token"])
        try:
            # an invoice another transaction changed since this one began makes PostgreSQL refuse
            # the update (a serialization failure, not logged): the lines then make the tokens
            # they need one by one, each in its own savepoint (Odoo's _portal_ensure_token)
            with self.env.cr.savepoint(flush=False), mute_logger("odoo.sql_db"):
                self.env.cr.execute(
                    SQL(
                        """
                        UPDATE account_move move
                           SET access_token = new.token
                          FROM unnest(%s::integer[], %s::varchar[]) AS new(id, token)
                         WHERE move.id = new.id AND move.access_token IS NULL
                        """,
                        missing.ids,
                        [str(uuid.uuid4()) for _move in missing],
                    )
                )
        except pg_errors.SerializationFailure:
            _logger.info("Portal tokens of %s invoices left to the lines: changed meanwhile", len(missing))
        missing.invalidate_recordset(["access_token"])

    def _queue_emails(self, messages, msg_vals_list, mail_extras, subtype_id):
        """The emails of ``messages`` (posted by :meth:`_post_emails`) and their recipients'
        notifications, rendered by Odoo's own notification methods and created together."""
        recipient_ids = {pid for vals in msg_vals_list for pid in vals["partner_ids"]}
        recipients_data = self.env["mail.followers"]._get_recipient_data(
            self.env["res.partner"], "comment", subtype_id, pids=list(recipient_ids)
        )[0]
        mail_vals_list, notified = [], []
        author = self.env.user.partner_id
        for message, msg_vals, (_line, partner, lang, auto_delete, scheduled_date) in zip(
            messages, msg_vals_list, mail_extras, strict=True
        ):
            # by email, whatever the recipient's own preference: the reminder is an email; as
            # message_post, never to an archived contact nor to its own author
            partners_data = [
                dict(recipients_data[pid], notif="email")
                for pid in msg_vals["partner_ids"]
                if recipients_data[pid]["active"] is not False and pid != author.id
            ]
            additional_values = {"auto_delete": auto_delete}
            if scheduled_date:  # the template's delay: the mail queue sends it then
                additional_values["scheduled_date"] = scheduled_date
            base_values = partner._notify_by_email_get_base_mail_values(message, additional_values=additional_values)
            for _lang, render_values, group in partner._notify_get_classified_recipients_iterator(
                message, partners_data, msg_vals=msg_vals, force_email_lang=lang
            ):
                body = partner._notify_by_email_render_layout(
                    message, group, msg_vals=msg_vals, render_values=render_values
                )
                group_recipients = group.pop("recipients")
                if not group_recipients:
                    continue
                mail_vals_list.append(
                    partner._notify_by_email_get_final_mail_values(
                        group_recipients, base_values, additional_values={"body_html": body}
                    )
                )
                notified.append((message, group_recipients))
        # sudo: emails and notifications are technical records, made here for messages the
        # current user just posted, as message_post makes them
        # (default_* keys of the caller's context are not theirs, as in message_post)
        mails = self.env["mail.mail"].sudo().with_context(clean_context(self.env.context)).create(mail_vals_list)
        self.env["mail.notification"].sudo().with_context(clean_context(self.env.context)).create(
            [
                {
                    "author_id": message.author_id.id,
                    "is_read": True,
                    "mail_mail_id": mail.id,
                    "mail_message_id": message.id,
                    "notification_status": "ready",
                    "notification_type": "email",
                    "res_partner_id": pid,
                }
                for mail, (message, group_recipients) in zip(mails, notified, strict=True)
                for pid in group_recipients
            ]
        )

    def _report_attachments(self, partner, reports):
        """Attachments for the reports a template attaches (``[(name, base64 data)]``)."""
        return self.env["ir.attachment"].create(
            [{"name": name, "datas": data, "res_model": partner._name, "res_id": partner.id} for name, data in reports]
        )

    def _statement_attachments(self, statements):
        """``{line: ir.attachment}``: the statement PDF of each line whose level attaches it,
        from ``statements`` (by customer id) or rendered now, created together."""
        lines = self.filtered(lambda line: line.level_id.email_attach_statement)
        report = self.env.ref("ar_collections.action_report_customer_statement")
        vals_list = []
        for line in lines:
            partner = line.partner_id.commercial_partner_id
            content = statements.get(partner.id)
            if content is None:
                content, _type = self.env["ir.actions.report"]._render_qweb_pdf(report, partner.ids)
            vals_list.append(
                {
                    "name": self.env._("Statement %(customer)s.pdf", customer=partner.name),
                    "raw": content,
                    "res_model": partner._name,
                    "res_id": partner.id,
                    "mimetype": "application/pdf",
                }
            )
        return dict(zip(lines, self.env["ir.attachment"].create(vals_list), strict=True))

    def _schedule_activities(self):
        """Schedule each line's level activity on its customer; return ``{line: activity}``.

        One create per level, assignee and deadline, whatever the number of customers; and
        each assignee other than the current user told once, in one message listing the
        customers, where Odoo would email them once per activity ("assigned to you"). A chunk
        run line by line (see :meth:`_execute`) tells them once per line."""
        groups = defaultdict(lambda: self.browse())
        for line in self:
            level = line.level_id
            user = level._get_activity_user(line.partner_id.commercial_partner_id)
            deadline = line.batch_id.date + timedelta(days=level.activity_delay_days)
            groups[level, user, deadline] |= line
        activity_of, assigned = {}, defaultdict(lambda: self.env["mail.activity"])
        for (level, user, deadline), lines in groups.items():
            # quick update: no "assigned to you" email per activity, the digest below instead
            activities = (
                lines.partner_id.commercial_partner_id.with_context(mail_activity_quick_update=True).activity_schedule(
                    activity_type_id=level.activity_type_id.id,
                    summary=level.activity_summary or level.name,
                    note=level.activity_note,
                    user_id=user.id,
                    date_deadline=deadline,
                )
                or self.env["mail.activity"]
            )  # none in Odoo's mail_activity_automation_skip context
            of_customer = {activity.res_id: activity for activity in activities}
            for line in lines:
                if line.partner_id.commercial_partner_id.id in of_customer:
                    activity_of[line] = of_customer[line.partner_id.commercial_partner_id.id]
            if activities and user != self.env.user:
                assigned[user] |= activities
        for user, activities in assigned.items():
            self.batch_id[:1]._notify_activities_assigned(user, activities)
        return activity_of
