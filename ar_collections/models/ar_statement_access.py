# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
import binascii
import json
import uuid
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, consteq, format_amount, format_date, hash_sign, plaintext2html, verify_hash_signed
from odoo.tools.image import base64_to_image
from odoo.tools.mimetypes import guess_mimetype

SCOPE = "ar_collections.statement"
# what a customer may attach to a dispute
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_FILES = 5
ATTACHMENT_TYPES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "text/plain": "text",
}


class PortalInputError(Exception):
    """What a customer entered on its statement page is refused: ``errors`` maps each form
    field to the message shown next to it; nothing was created."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


class ArStatementAccess(models.Model):
    """The door to a customer's statement page in one company.

    One record per commercial partner and company, made the first time a link is needed. The
    link carries a token signed by Odoo (``hash_sign``) that names this record and its current
    ``access_token`` and expires after the company's validity: regenerating the access token
    (``action_regenerate``) stops every link sent before. Portal users of the customer reach the
    same page from ``/my`` without a token. Everything the page shows or does is read and
    written by the methods below, for this customer in this company only.
    """

    _name = "ar.statement.access"
    _description = "Customer Statement Page"
    _inherit = ["portal.mixin"]
    _check_company_auto = True
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        domain="[('is_company', '=', True)]",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    date_regenerated = fields.Datetime(string="Links regenerated on", readonly=True)

    _sql_constraints = [
        ("partner_company_uniq", "UNIQUE(partner_id, company_id)", "A customer has one statement page per company."),
    ]

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for access in self:
            access.access_url = f"/my/collections/{access.id}"
        return result

    # ------------------------------------------------------------------
    # Links
    # ------------------------------------------------------------------
    @api.model
    def _get_for(self, partner, company):
        """The statement page of ``partner`` (its commercial entity) in ``company``, made if
        needed."""
        return self._ensure_for(partner, company).filtered(lambda p: p.partner_id == partner.commercial_partner_id)

    @api.model
    def _ensure_for(self, partners, company):
        """The statement pages of ``partners`` (their commercial entities) in ``company``, the
        missing ones made: one search and one create for any number of customers."""
        partners = partners.commercial_partner_id
        # sudo: the pages are made when a reminder or a portal visit first needs them, by
        # whoever sends the reminder; nobody writes them over RPC (managers regenerate them)
        Access = self.sudo()
        domain = [("partner_id", "in", partners.ids), ("company_id", "=", company.id)]
        existing = Access.search(domain)
        missing = partners - existing.partner_id
        if not missing:
            return existing
        # Two first visits (or a visit and a reminder) at once must not both make a page: the
        # unique (customer, company) index decides. A page made by a transaction committed
        # after this one began makes PostgreSQL refuse the insert with a serialization failure,
        # on which Odoo retries an HTTP request, which then finds the page (a cron job fails
        # instead, and finds it at its next call).
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO ar_statement_access
                       (partner_id, company_id, access_token, create_uid, create_date, write_uid, write_date)
                SELECT partner_id, %(company)s, token, %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s,
                       NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%(partners)s::integer[], %(tokens)s::varchar[]) AS new(partner_id, token)
                ON CONFLICT (partner_id, company_id) DO NOTHING
                """,
                company=company.id,
                uid=self.env.uid,
                partners=missing.ids,
                tokens=[str(uuid.uuid4()) for _partner in missing],
            ),
            log_exceptions=False,  # a serialization failure here is expected (above); Odoo's retry logs it
        )
        return Access.search(domain)

    def _signed_token(self):
        """A token for the link to this page: valid for the company's days, until regenerated."""
        self.ensure_one()
        return hash_sign(
            self.env(su=True),
            SCOPE,
            {"id": self.id, "token": self._portal_ensure_token()},
            expiration=timedelta(days=self.company_id.ar_portal_link_days),
        )

    def _statement_url(self):
        """The link put in reminders and statements."""
        self.ensure_one()
        return f"{self.get_base_url()}{self.access_url}?access_token={self._signed_token()}"

    def _check_signed_token(self, token):
        """Whether ``token`` opens this page: signed by this database, not expired, for this
        record and its current access token."""
        self.ensure_one()
        if not token or not self.access_token:
            return False
        try:
            values = verify_hash_signed(self.env(su=True), SCOPE, token)
        except (ValueError, binascii.Error, UnicodeDecodeError, json.JSONDecodeError):
            return False
        return bool(
            isinstance(values, dict)
            and values.get("id") == self.id
            and isinstance(values.get("token"), str)
            and consteq(values["token"], self.access_token)
        )

    def action_regenerate(self):
        """Every link sent so far stops working; the next reminder carries a new one."""
        if not self.env.user.has_group("ar_collections.group_ar_collections_manager"):
            raise AccessError(self.env._("Only collections managers regenerate the links to a statement page."))
        self.check_access("read")  # the record rules: pages of the user's companies only
        for access in self:
            # sudo: access tokens are not written by users directly (the check above is the rule)
            access.sudo().write({"access_token": str(uuid.uuid4()), "date_regenerated": fields.Datetime.now()})
            access.partner_id.with_company(access.company_id).message_post(
                body=self.env._("The links to the statement page sent so far no longer work."),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _is_portal_user_of(self, user):
        """A logged-in portal user of this customer, allowed in this company."""
        self.ensure_one()
        return (
            not user._is_public()
            and user.partner_id.commercial_partner_id == self.partner_id
            and self.company_id in user.company_ids
        )

    # ------------------------------------------------------------------
    # What the page shows
    # ------------------------------------------------------------------
    def _customer(self):
        return self.partner_id.with_company(self.company_id)

    def _open_invoices(self):
        """The customer's open invoices in this company, oldest due first."""
        return self.env["account.move"].search(
            [("commercial_partner_id", "=", self.partner_id.id)]
            + self.env["ar.collection.rules"]._open_invoice_domain(company=self.company_id),
            order="invoice_date_due, id",
        )

    def _choices(self):
        """What the customer may choose from on the page, as the page offers it and as every
        action checks it again: its open invoices, those it may promise, dispute or pay, its
        plans waiting for an answer or running, the dispute reasons, today and the latest day
        a promise may name. No aging: an action reads only what it checks."""
        self.ensure_one()
        env = self.env
        company = self.company_id
        invoices = self._open_invoices()
        Plan = env["ar.payment.plan"]
        # the plans waiting for the customer's answer and the running ones: their invoices are
        # neither promised nor disputed on the side
        plans = Plan.search(
            [("partner_id", "=", self.partner_id.id), ("company_id", "=", company.id)]
            + Plan._ar_state_domain("holding"),
            order="id desc",
        )
        covered = {"ar.payment.plan": set(plans.move_ids.ids)}
        for model in ("ar.dispute", "ar.payment.promise"):
            Case = env[model]
            cases = Case.search(Case._ar_pausing_domain() + [("move_ids", "in", invoices.ids)])
            covered[model] = set(cases.move_ids.ids)
        today = fields.Date.context_today(self.with_company(company))
        # a payment on its way through a provider (Odoo's rule: not a wire transfer announced)
        pending = invoices.filtered(
            lambda m: m.transaction_ids.filtered(
                lambda tx: tx.state in ("pending", "authorized") and tx.provider_code not in ("none", "custom")
            )
        )
        return {
            "today": today,
            "invoices": invoices,
            "promisable": invoices.filtered(lambda m: all(m.id not in ids for ids in covered.values())),
            "disputable": invoices.filtered(
                lambda m: m.id not in covered["ar.dispute"] and m.id not in covered["ar.payment.plan"]
            ),
            # Odoo's rule for what a customer may pay online (no payment pending, portal payment on)
            "payable": invoices.filtered(lambda m: m._has_to_be_paid()),
            "payment_pending": pending,
            "plans": plans,
            "promise_latest": today + timedelta(days=company.ar_promise_max_days),
            "reasons": env["ar.dispute.reason"].search([]),
        }

    def _attachment_types_label(self):
        labels = {"text/plain": self.env._("text")}  # the others are the same in every language
        return ", ".join(sorted({labels.get(mimetype, label) for mimetype, label in ATTACHMENT_TYPES.items()}))

    def _format_amount(self, amount, currency=None):
        return format_amount(self.env, amount, currency or self.company_id.currency_id)

    def _statement_values(self):
        """Everything the statement page shows, in the reader's language (``self.env.lang``)."""
        self.ensure_one()
        env = self.env
        company = self.company_id
        Aging = env["ar.aging.report"].with_company(company)
        buckets = Aging._bucket_summaries(self.partner_id, company)[self.partner_id]
        values = self._choices()
        invoices = values["invoices"]
        overdue = invoices.filtered(lambda m: m.ar_days_overdue > 0)
        items = Aging.search(
            [("partner_id", "=", self.partner_id.id), ("company_id", "=", company.id)], order="date_maturity, id"
        )
        pay_rows, installments = {}, {}
        for item in items:
            pay_rows.setdefault(item.move_id.id, item.id)
            installments[item.move_id.id] = installments.get(item.move_id.id, 0) + 1
        values.update(
            {
                "pay_rows": pay_rows,
                "installments": installments,
                "access": self,
                "customer": self._customer(),
                "company": company,
                "currency": company.currency_id,
                "items": items,
                "buckets": buckets,
                "total": sum(bucket["amount"] for bucket in buckets),
                "overdue_total": sum(overdue.mapped("amount_residual_signed")),
                "pauses": invoices._ar_get_followup_pauses(),
                "plan_requested": bool(self._pending_plan_request()),
                "format_amount": self._format_amount,
                "format_date": lambda value: format_date(env, value),
                "attachment_types": self._attachment_types_label(),
                "attachment_max_mb": ATTACHMENT_MAX_BYTES // (1024 * 1024),
            }
        )
        return values

    def _pending_plan_request(self):
        """The customer's request for a plan from this page, not yet dealt with."""
        return self.env["mail.activity"].search([("ar_plan_request_access_id", "=", self.id)], limit=1)

    def _staff_env(self):
        """The environment in which what the page stores for the back office (chatter notes,
        history, activities) is written: the language of the person who follows the customer
        up (else the company's), not the visitor's."""
        owner = self._owner()
        return self.with_context(lang=(owner and owner.lang) or self.company_id.partner_id.lang or "en_US").env

    def _plan_request_summary(self):
        return self._staff_env()._("Customer asks for a payment plan")

    # ------------------------------------------------------------------
    # What the customer does
    # ------------------------------------------------------------------
    def _owner(self):
        """Who acts on what the customer does here: its collector, the company's portal
        contact, or the first collections manager of the company."""
        customer = self._customer()
        if customer.ar_collector_id:
            return customer.ar_collector_id
        if self.company_id.ar_portal_user_id:
            return self.company_id.ar_portal_user_id
        managers = self.env.ref("ar_collections.group_ar_collections_manager").users.filtered(
            lambda user: self.company_id in user.company_ids and not user.share
        )
        admin = self.env.ref("base.user_admin", raise_if_not_found=False)
        return managers.sorted("id")[:1] or (admin or self.env["res.users"]).filtered(
            lambda user: self.company_id in user.company_ids
        )

    def _lock(self):
        """Serialize what customers do on this page: two posts at once (two tabs, a double
        click) must not both pass the day's limit or both ask for a plan. The row is updated,
        so the second transaction waits for the first and, if the first commits, fails with a
        serialization error on which Odoo retries the request, which then sees what the first
        wrote."""
        # not logged as a bad query: the serialization failure is expected, and Odoo's retry logs it
        self.env.cr.execute(
            SQL("UPDATE ar_statement_access SET write_date = write_date WHERE id = %s", self.id), log_exceptions=False
        )

    def _check_daily_limit(self, model, field):
        """At most the company's number of promises (or disputes) in 24 hours from this page
        (by the database's clock, which stamps ``create_date``)."""
        count = self.env[model].search_count(
            [
                ("portal_access_id", "=", self.id),
                ("create_date", ">", self.env.cr.now() - timedelta(days=1)),
            ]
        )
        if count >= self.company_id.ar_portal_daily_limit:
            raise PortalInputError(
                {
                    field: self.env._(
                        "You have already sent %(count)s in the last 24 hours: please call us, or come back tomorrow.",
                        count=count,
                    )
                }
            )

    def _chosen_invoices(self, move_ids, allowed, field):
        """The invoices the customer chose, each one of ``allowed``: an id of another customer,
        company, or one paid or already covered, is refused."""
        try:
            ids = [int(move_id) for move_id in move_ids]
        except (TypeError, ValueError):
            ids = None
        if not ids:
            raise PortalInputError({field: self.env._("Choose at least one invoice.")})
        chosen = allowed.filtered(lambda m: m.id in ids)
        if len(chosen) != len(set(ids)):
            raise PortalInputError(
                {
                    field: self.env._(
                        "One of the invoices chosen is paid, already covered, or not yours: reload the page."
                    )
                }
            )
        return chosen

    def _parse_amount(self, value, field, maximum, currency):
        """The amount entered, in ``currency`` (the invoices'), from more than 0 to ``maximum``."""
        try:
            amount = currency.round(float(str(value).replace(",", ".")))
        except (TypeError, ValueError, OverflowError):
            raise PortalInputError({field: self.env._("Enter an amount, such as 250.00.")}) from None
        if currency.compare_amounts(amount, 0.0) <= 0:
            raise PortalInputError({field: self.env._("Enter an amount of more than 0.")})
        if currency.compare_amounts(amount, maximum) > 0:
            raise PortalInputError(
                {
                    field: self.env._(
                        "At most %(balance)s, what the invoices chosen still owe.",
                        balance=format_amount(self.env, maximum, currency),
                    )
                }
            )
        return amount

    def _acted(self, summary, body, records=None):
        """What every action on the page leaves behind: a line in the customer's chatter and
        its collections history, and an activity for the person who follows it up, written in
        that person's language."""
        page = self.with_env(self._staff_env())
        customer = page._customer()
        note = Markup("<p>%s</p>") % body
        page.env["ar.followup.history"]._record(customer, "portal", "customer", {}, note=note, company=page.company_id)
        owner = page._owner()
        activity_type = page.env.ref("ar_collections.mail_activity_type_portal_request")
        (records.with_env(page.env) if records else customer).activity_schedule(
            activity_type_id=activity_type.id,
            summary=summary,
            note=note,
            user_id=owner.id if owner else page.env.uid,
        )

    def _case_vals(self, model, invoices, errors):
        """What a promise or dispute made on this page starts from, once what was entered is
        all right (else ``errors`` are raised, next to their fields) and within the day's limit."""
        if not errors:
            try:
                self._check_daily_limit(model, "form")
            except PortalInputError as error:
                errors.update(error.errors)
        if errors:
            raise PortalInputError(errors)
        return {
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": invoices.currency_id.id,
            "move_ids": [fields.Command.set(invoices.ids)],
            "user_id": self._owner().id,
            "portal_access_id": self.id,
        }

    def _portal_promise(self, move_ids, promised_date, amount):
        """The customer promises to pay ``amount`` of the chosen invoices by ``promised_date``."""
        self.ensure_one()
        self._lock()
        values = self._choices()
        errors = {}
        invoices = self.env["account.move"]
        try:
            invoices = self._chosen_invoices(move_ids, values["promisable"], "move_ids")
        except PortalInputError as error:
            errors.update(error.errors)
        try:
            day = fields.Date.to_date(promised_date) if promised_date else None
        except ValueError:
            day = None
        if not day:
            errors["promised_date"] = self.env._("Enter the day you will pay.")
        elif day < values["today"]:
            errors["promised_date"] = self.env._("This day is in the past: enter the day you will pay.")
        elif day > values["promise_latest"]:
            errors["promised_date"] = self.env._(
                "At most %(days)s days ahead (%(latest)s): for longer, ask for a payment plan.",
                days=self.company_id.ar_promise_max_days,
                latest=format_date(self.env, values["promise_latest"]),
            )
        if invoices:
            balance = sum(invoices.mapped("amount_residual"))
            try:
                amount = self._parse_amount(amount, "amount", balance, invoices.currency_id[:1])
            except PortalInputError as error:
                errors.update(error.errors)
        if invoices.currency_id and len(invoices.currency_id) > 1:
            errors["move_ids"] = self.env._("Choose invoices of one currency for one promise.")
        promise = self.env["ar.payment.promise"].create(
            dict(
                self._case_vals("ar.payment.promise", invoices, errors),
                amount=amount,
                promised_date=day,
                channel="portal",
            )
        )
        staff = self._staff_env()
        self._acted(
            staff._("Customer promised to pay"),
            staff._(
                "On its statement page, the customer promised to pay %(amount)s by %(date)s for %(moves)s "
                "(%(promise)s).",
                amount=format_amount(staff, amount, invoices.currency_id),
                date=format_date(staff, day),
                moves=", ".join(invoices.mapped("name")),
                promise=promise.name,
            ),
            promise,
        )
        return promise

    def _portal_dispute(self, move_id, reason_id, amount, message, attachments=()):
        """The customer disputes ``amount`` of one invoice. ``attachments``: ``(name, bytes)``."""
        self.ensure_one()
        self._lock()
        values = self._choices()
        errors = {}
        invoice = self.env["account.move"]
        try:
            invoice = self._chosen_invoices([move_id] if move_id else [], values["disputable"], "move_id")
        except PortalInputError as error:
            errors.update(error.errors)
        reason = values["reasons"].filtered(lambda r: str(r.id) == str(reason_id))
        if not reason:
            errors["reason_id"] = self.env._("Choose what is wrong.")
        if invoice:
            try:
                amount = self._parse_amount(amount, "amount", invoice.amount_residual, invoice.currency_id)
            except PortalInputError as error:
                errors.update(error.errors)
        if not (message or "").strip():
            errors["message"] = self.env._("Tell us what is wrong, so that we can look into it.")
        files = []
        for name, data in attachments or ():
            if not data:
                continue
            mimetype = guess_mimetype(data)
            if len(data) > ATTACHMENT_MAX_BYTES:
                errors["attachments"] = self.env._(
                    "%(name)s is larger than %(size)s MB.", name=name, size=ATTACHMENT_MAX_BYTES // (1024 * 1024)
                )
            elif mimetype not in ATTACHMENT_TYPES:
                errors["attachments"] = self.env._(
                    "%(name)s is not a file we accept (%(types)s).", name=name, types=self._attachment_types_label()
                )
            files.append((name, data, mimetype))
        if len(files) > ATTACHMENT_MAX_FILES:
            errors["attachments"] = self.env._("Attach at most %(count)s files.", count=ATTACHMENT_MAX_FILES)
        dispute = self.env["ar.dispute"].create(
            dict(
                self._case_vals("ar.dispute", invoice, errors),
                amount=amount,
                reason_id=reason.id,
                description=plaintext2html(message.strip()),
            )
        )
        if files:
            # stored with the type found in their content, not the one their name says: a page
            # named .html that reads as text is served as text
            attachments = self.env["ir.attachment"].create(
                [
                    {"name": name, "raw": data, "mimetype": mimetype, "res_model": dispute._name, "res_id": dispute.id}
                    for name, data, mimetype in files
                ]
            )
            dispute.message_post(
                body=self._staff_env()._("Sent by the customer with the dispute."),
                attachment_ids=attachments.ids,
                subtype_xmlid="mail.mt_note",
            )
        staff = self._staff_env()
        self._acted(
            staff._("Customer disputes an invoice"),
            staff._(
                "On its statement page, the customer disputes %(amount)s of %(move)s (%(dispute)s, %(reason)s): "
                "%(message)s",
                dispute=dispute.name,
                amount=format_amount(staff, amount, invoice.currency_id),
                move=invoice.name,
                reason=reason.with_env(staff).name,
                message=message.strip(),
            ),
            dispute,
        )
        return dispute

    def _portal_accept_plan(self, plan_id, name, signature):
        """The customer accepts a proposed plan, signing it as Odoo's quotations are signed."""
        self.ensure_one()
        self._lock()
        plan = self._choices()["plans"].filtered(lambda p: p.id == plan_id and p.state == "proposed")
        if not plan:
            raise PortalInputError(
                {"form": self.env._("This plan is no longer waiting for your answer: reload the page.")}
            )
        if not (name or "").strip():
            raise PortalInputError({"name": self.env._("Enter your name.")})
        if not signature:
            raise PortalInputError({"signature": self.env._("Sign the plan.")})
        try:
            base64.b64decode(signature, validate=True)
            base64_to_image(signature)  # an image: what the signature widget sends
        except (binascii.Error, ValueError, UserError):
            raise PortalInputError({"signature": self.env._("The signature could not be read: sign again.")}) from None
        staff = self._staff_env()
        try:
            with self.env.cr.savepoint():
                plan.write({"signed_by": name.strip(), "signed_on": fields.Datetime.now(), "signature": signature})
                plan.with_env(staff).action_activate()  # its errors, stored below, in the staff's language
        except (UserError, ValidationError) as error:
            # the plan cannot start as it is (a payment came in, its dates passed): its
            # collector must adjust it (told once, however often the customer tries); the
            # customer is told so; nothing is changed
            request_type = self.env.ref("ar_collections.mail_activity_type_portal_request")
            if not plan.activity_ids.filtered(lambda activity: activity.activity_type_id == request_type):
                self._acted(
                    staff._("Customer tried to accept a payment plan"),
                    staff._(
                        "On its statement page, the customer tried to accept %(plan)s, which could not start: "
                        "%(error)s",
                        plan=plan.name,
                        error=str(error),
                    ),
                    plan,
                )
            raise PortalInputError(
                {"form": self.env._("This plan needs an update before it can start; we will contact you shortly.")}
            ) from None
        self._acted(
            staff._("Customer accepted a payment plan"),
            staff._("On its statement page, %(name)s accepted and signed %(plan)s.", name=name.strip(), plan=plan.name),
            plan,
        )
        return plan

    def _portal_request_plan(self, message):
        """A customer with no plan asks for one: an activity for its collector."""
        self.ensure_one()
        self._lock()
        if self._pending_plan_request():
            raise PortalInputError({"plan_message": self.env._("We already have your request and will contact you.")})
        choices = self._choices()
        if choices["plans"] or not choices["invoices"]:
            raise PortalInputError(
                {"plan_message": self.env._("You have a payment plan already, or nothing to pay: reload the page.")}
            )
        if not (message or "").strip():
            raise PortalInputError(
                {
                    "plan_message": self.env._(
                        "Tell us how much you can pay, and how often, so that we can propose a plan."
                    )
                }
            )
        page = self.with_env(self._staff_env())  # what is stored, in the staff's language
        customer = page._customer()
        owner = page._owner()
        body = Markup("<p>%s</p>") % page.env._(
            "On its statement page, the customer asks for a payment plan: %(message)s", message=message.strip()
        )
        page.env["ar.followup.history"]._record(customer, "portal", "customer", {}, note=body, company=page.company_id)
        customer.activity_schedule(
            activity_type_id=page.env.ref("ar_collections.mail_activity_type_portal_request").id,
            summary=page._plan_request_summary(),
            note=body,
            user_id=owner.id if owner else page.env.uid,
            ar_plan_request_access_id=page.id,
        )
        return True

    def _payable_invoices(self, move_ids):
        """The invoices the customer chose to pay now: its own open invoices in this company,
        in one currency."""
        self.ensure_one()
        invoices = self._chosen_invoices(move_ids, self._choices()["payable"], "move_ids")
        if len(invoices.currency_id) > 1:
            raise PortalInputError({"move_ids": self.env._("Choose invoices of one currency for one payment.")})
        return invoices
