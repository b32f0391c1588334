# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

CHANNELS = [
    ("email", "Email"),
    ("letter", "Letter / statement"),
    ("activity", "Activity scheduled"),
    ("call", "Phone call"),
    ("portal", "Customer's statement page"),
]

OUTCOMES = [
    ("sent", "Sent"),
    ("printed", "Printed"),
    ("scheduled", "Scheduled"),
    ("reached", "Reached the customer"),
    ("no_answer", "No answer"),
    ("voicemail", "Left a message"),
    ("wrong_number", "Wrong number"),
    ("refused", "Refused to pay"),
    ("customer", "Acted by the customer"),
]


class ArFollowupHistory(models.Model):
    """One follow-up action on a customer: a reminder sent, a letter
    printed, a call task scheduled or a call made.

    History is immutable: it is the audit trail of what the customer was
    told, and its lines are what stops a level being applied twice to an
    invoice through the same channel (see ``ar.followup.history.line``).
    Create it through :meth:`_record` only.
    """

    _name = "ar.followup.history"
    _description = "Follow-up History"
    _order = "date desc, id desc"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="restrict",
        readonly=True,
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_id = fields.Many2one(
        "ar.followup.level",
        readonly=True,
        ondelete="restrict",
        check_company=True,
        help="The highest level applied by this action; empty for an ad-hoc contact.",
    )
    channel = fields.Selection(CHANNELS, required=True, readonly=True)
    outcome = fields.Selection(OUTCOMES, required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="By", required=True, readonly=True, default=lambda self: self.env.user
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    note = fields.Html(readonly=True)
    mail_message_id = fields.Many2one("mail.message", string="Message", readonly=True, ondelete="set null")
    line_ids = fields.One2many("ar.followup.history.line", "history_id", string="Invoices", readonly=True)
    amount_residual = fields.Monetary(
        string="Amount due",
        compute="_compute_amount_residual",
        currency_field="currency_id",
        help="What the covered invoices still owed when the action was taken.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("line_ids.amount_residual")
    def _compute_amount_residual(self):
        for history in self:
            history.amount_residual = sum(history.line_ids.mapped("amount_residual"))

    @api.depends("channel", "level_id", "partner_id")
    def _compute_display_name(self):
        channels = dict(self._fields["channel"]._description_selection(self.env))
        for history in self:
            history.display_name = " - ".join(
                part for part in (history.partner_id.name, history.level_id.name, channels.get(history.channel)) if part
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def write(self, vals):
        if self:
            raise UserError(
                self.env._(
                    "Follow-up history is an audit trail and cannot be changed (%(records)s). "
                    "Record a new follow-up action instead.",
                    records=", ".join(self.mapped("display_name")),
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_audit_trail(self):
        raise UserError(
            self.env._(
                "Follow-up history is an audit trail and cannot be deleted (%(records)s).",
                records=", ".join(self.mapped("display_name")),
            )
        )

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    @api.model
    def _record(self, partner, channel, outcome, invoice_levels, note=None, message=None, company=None):
        """Record one follow-up action and apply its consequences.

        :param partner: the customer (its commercial entity is used).
        :param invoice_levels: ``{account.move: ar.followup.level or empty}``,
            the invoices the action covered and the level it applied to each.
        :return: the new ``ar.followup.history`` record.

        See :meth:`_record_many` for the consequences.
        """
        return self._record_many(
            [
                {
                    "partner": partner,
                    "channel": channel,
                    "outcome": outcome,
                    "invoice_levels": invoice_levels,
                    "note": note,
                    "message": message,
                    "company": company,
                }
            ]
        )

    @api.model
    def _record_many(self, actions):
        """Record follow-up actions and apply their consequences, in a fixed number of queries
        whatever their number.

        :param actions: dicts with the arguments of :meth:`_record` (``partner``, ``channel``,
            ``outcome``, ``invoice_levels``, and optionally ``note``, ``message``, ``company``).
        :return: the new ``ar.followup.history`` records, in the order of ``actions``.

        Side effects, all in this transaction: the invoices' reached level and last follow-up
        date (computed from the lines), the customer's stage (the applied level's stage), a
        note in the customer's chatter (unless the action is itself a posted message) and in
        the invoices' chatter.
        """
        self.check_access("read")  # only collections users record follow-ups
        if not actions:
            return self.browse()
        Move, Level = self.env["account.move"], self.env["ar.followup.level"]
        all_invoices = Move.union(*(invoice for action in actions for invoice in action["invoice_levels"]))
        maturities = self.env["ar.collection.rules"]._open_maturities(all_invoices)
        today = fields.Date.context_today(self)
        now = fields.Datetime.now()
        vals_list, top_levels = [], []
        for action in actions:
            invoice_levels = action["invoice_levels"]
            invoices = Move.union(*invoice_levels)
            company = action.get("company") or invoices.company_id[:1] or self.env.company
            levels = Level.union(*invoice_levels.values())
            top_level = levels.sorted("delay")[-1:]
            top_levels.append((top_level, company))
            message = action.get("message")
            vals_list.append(
                {
                    "partner_id": action["partner"].commercial_partner_id.id,
                    "company_id": company.id,
                    "level_id": top_level.id,
                    "channel": action["channel"],
                    "outcome": action["outcome"],
                    "user_id": self.env.user.id,
                    "date": now,
                    "note": action.get("note"),
                    "mail_message_id": message.id if message else False,
                    "line_ids": [
                        fields.Command.create(
                            {
                                "move_id": invoice.id,
                                "level_id": level.id,
                                "amount_residual": invoice.amount_residual_signed,
                                "amount_residual_currency": invoice.amount_residual,
                                "days_overdue": max((today - maturities[invoice.id]).days, 0)
                                if maturities.get(invoice.id)
                                else 0,
                            }
                        )
                        for invoice, level in invoice_levels.items()
                    ],
                }
            )
        # sudo: users cannot create history themselves (no ACL), so that nobody can
        # forge or backdate it over RPC; it is written here only, as the current user, now
        histories = self.sudo().create(vals_list).sudo(False)
        # the stage of each customer, and its follow-up items done, per company and stage
        staged = defaultdict(lambda: self.env["res.partner"])
        followed = defaultdict(lambda: self.env["res.partner"])
        for history, (top_level, company) in zip(histories, top_levels, strict=True):
            if top_level.stage_id:
                staged[company, top_level.stage_id, top_level.name] |= history.partner_id
            if top_level:
                followed[company] |= history.partner_id
        for (company, stage, reason), partners in staged.items():
            partners.with_company(company)._ar_set_stage(stage, reason=reason)
        for company, partners in followed.items():
            self.env["ar.worklist.item"]._close_followups(partners, company)
        histories._log_in_chatter()
        return histories

    @api.model
    def _check_not_applied(self, invoice_levels, channel):
        """Refuse, with a message naming them, the levels of ``invoice_levels`` ({invoice: level})
        already applied to their invoice through ``channel``: the unique index on the history
        would refuse them anyway, after the message was composed."""
        twice = self._already_applied(invoice_levels, channel)
        if twice:
            channel_label = dict(self._fields["channel"]._description_selection(self.env))[channel]
            raise UserError(
                self.env._(
                    "%(pairs)s: already sent through %(channel)s. A level is applied once per invoice and "
                    "channel; choose a higher level's template, or log a call instead.",
                    pairs=", ".join(
                        self.env._("%(invoice)s at level %(level)s", invoice=move.name, level=level.sudo(False).name)
                        for move, level in twice
                    ),
                    channel=channel_label,
                )
            )

    @api.model
    def _already_applied(self, invoice_levels, channel):
        """``[(invoice, level)]`` of ``invoice_levels`` already applied through ``channel``."""
        pairs = {(invoice.id, level.id) for invoice, level in invoice_levels.items() if level}
        if not pairs:
            return []
        # sudo: the history is readable to collections users, but the check must see every
        # line of these invoices whatever record rules say, as the unique index does
        done = (
            self.env["ar.followup.history.line"]
            .sudo()
            ._read_group(
                [
                    ("move_id", "in", [move_id for move_id, _level in pairs]),
                    ("level_id", "in", [level_id for _move, level_id in pairs]),
                    ("channel", "=", channel),
                ],
                ["move_id", "level_id"],
            )
        )
        return [(move, level) for move, level in done if (move.id, level.id) in pairs]

    def _log_in_chatter(self):
        """Say what was done in the customer's chatter (unless the action is itself a posted
        message) and on each covered invoice: one note per action and record, logged
        together."""
        summaries = {history: history._get_summary() for history in self}
        self._log_notes(
            self.env["res.partner"],
            [(history.partner_id.id, summary) for history, summary in summaries.items() if not history.mail_message_id],
        )
        self._log_notes(
            self.env["account.move"],
            [(line.move_id.id, summary) for history, summary in summaries.items() for line in history.line_ids],
        )

    @api.model
    def _log_notes(self, model, notes):
        """Log ``notes`` (``[(record id, body)]``) on records of ``model``, in as many calls as
        the busiest record has notes (one body per record and call)."""
        rounds = []
        for res_id, body in notes:
            for bodies in rounds:
                if res_id not in bodies:
                    bodies[res_id] = body
                    break
            else:
                rounds.append({res_id: body})
        for bodies in rounds:
            model.browse(bodies)._message_log_batch(bodies=bodies)

    def _get_summary(self):
        self.ensure_one()
        channels = dict(self._fields["channel"]._description_selection(self.env))
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        body = Markup("<p>%s</p>") % self.env._(
            "Follow-up: %(channel)s, %(outcome)s%(level)s.",
            channel=channels[self.channel],
            outcome=outcomes[self.outcome].lower(),
            level=self.env._(" (level %(level)s)", level=self.level_id.name) if self.level_id else "",
        )
        if self.note:
            body += self.note
        return body
