# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The customer's statement page: ``/my/collections``.

Reached by a portal user of the customer, or without login through the signed link of a
reminder (``ar.statement.access._statement_url``). Every route checks the access again and
acts for that customer in that company only; the model methods check what is posted again."""

from werkzeug.urls import url_encode

from odoo import SUPERUSER_ID, Command, http
from odoo.exceptions import ValidationError
from odoo.http import content_disposition, request

from odoo.addons.account_payment.controllers.payment import PaymentPortal
from odoo.addons.account_payment.controllers.portal import PortalAccount

from ..models.ar_statement_access import ATTACHMENT_MAX_BYTES, PortalInputError

MESSAGES = ("promise_ok", "dispute_ok", "plan_ok", "plan_request_ok", "paid")


class ArCollectionsPortal(PortalAccount, PaymentPortal):
    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------
    def _ar_access(self, access_id, access_token=None):
        """The statement page ``access_id`` if the visitor may open it, else None: a portal user
        of its customer in its company, or a valid signed token. Returned in sudo (the visitor
        has no rights on collection records: what it may see and do is decided here), in the
        page's company and the reader's language."""
        # sudo: public visitors and portal users have no access rights on ar.statement.access
        access = request.env["ar.statement.access"].sudo().browse(access_id).exists()
        if not access or (access_token is not None and not isinstance(access_token, str)):
            return None
        user = request.env.user
        if not (access._is_portal_user_of(user) or access._check_signed_token(access_token)):
            return None
        lang = user.lang if not user._is_public() else access.partner_id.lang
        # as OdooBot (superuser): what the customer does is written by the system on its behalf
        # (chatter notes, history, activities), for this customer and company only; the visitor's
        # own user (public, or portal) has no rights on collection records and no email to post as
        return access.with_user(SUPERUSER_ID).with_company(access.company_id).with_context(lang=lang or access.env.lang)

    def _ar_denied(self):
        """The same plain page for a wrong, tampered, expired or regenerated link, or another
        customer's page: nothing about the customer or the company is disclosed."""
        return request.render("ar_collections.portal_statement_denied", status=403)

    def _ar_page_url(self, access, access_token, **params):
        if access_token:
            params["access_token"] = access_token
        return f"{access.access_url}?{url_encode(params)}" if params else access.access_url

    def _ar_render(self, access, access_token, errors=None, posted=None, status=200, message=None):
        # the page in the reader's language (the customer's, for a visitor with a link)
        request.update_context(lang=access.env.lang)
        values = self._prepare_portal_layout_values()
        values.update(access._statement_values())
        values.update(
            {
                "page_name": "ar_statement",
                "access_token": access_token or "",
                "errors": errors or {},
                "posted": posted or {},
                "message": message if message in MESSAGES else None,
                "page_url": self._ar_page_url(access, access_token),
            }
        )
        return request.render("ar_collections.portal_statement", values, status=status)

    # ------------------------------------------------------------------
    # /my
    # ------------------------------------------------------------------
    def _ar_portal_companies(self):
        """``{company: open invoices}`` of the logged-in user's customer, in the companies the
        user is allowed in: one statement page each."""
        user = request.env.user
        # sudo: portal users read their own receivable figures, not the collection models
        groups = (
            request.env["account.move"]
            .sudo()
            ._read_group(
                [("commercial_partner_id", "=", user.partner_id.commercial_partner_id.id)]
                + request.env["ar.collection.rules"]._open_invoice_domain(company=user.company_ids),
                ["company_id"],
                ["__count"],
            )
        )
        return dict(groups)

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "ar_statement_count" in counters:
            values["ar_statement_count"] = sum(self._ar_portal_companies().values())
        return values

    @http.route("/my/collections", type="http", auth="user", website=True, sitemap=False)
    def portal_my_statement(self, **kwargs):
        """The customer's statement page; a choice of pages when it owes several companies."""
        user = request.env.user
        companies = self._ar_portal_companies()
        if not companies and not user.share:
            return request.redirect("/my")  # an employee owing nothing has no statement page
        if len(companies) <= 1:
            company = next(iter(companies), request.env.company)
            if company not in user.company_ids:
                company = user.company_id
            return request.redirect(request.env["ar.statement.access"]._get_for(user.partner_id, company).access_url)
        Access = request.env["ar.statement.access"]
        pages = Access.union(*(Access._get_for(user.partner_id, company) for company in companies))
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "ar_statement",
                "pages": [(page, companies[page.company_id]) for page in pages.sorted(lambda p: p.company_id.name)],
            }
        )
        return request.render("ar_collections.portal_statement_companies", values)

    # ------------------------------------------------------------------
    # The statement
    # ------------------------------------------------------------------
    @http.route("/my/collections/<int:access_id>", type="http", auth="public", website=True, sitemap=False)
    def portal_statement(self, access_id, access_token=None, message=None, **kwargs):
        access = self._ar_access(access_id, access_token)
        if not access:
            return self._ar_denied()
        return self._ar_render(access, access_token, message=message)

    @http.route(
        "/my/collections/<int:access_id>/statement.pdf", type="http", auth="public", website=True, sitemap=False
    )
    def portal_statement_pdf(self, access_id, access_token=None, **kwargs):
        access = self._ar_access(access_id, access_token)
        if not access:
            return self._ar_denied()
        customer = access._customer()
        # sudo: the report is rendered for this customer only, after the access check above;
        # it links to the page by the visitor's own link (a new one would renew its expiry)
        pdf, _type = (
            request.env["ir.actions.report"]
            .sudo()
            .with_company(access.company_id)
            .with_context(
                lang=access.env.lang,
                ar_statement_url=f"{access.get_base_url()}{self._ar_page_url(access, access_token)}",
            )
            ._render_qweb_pdf("ar_collections.action_report_customer_statement", customer.ids)
        )
        name = access.env._("Statement %(customer)s.pdf", customer=customer.name)
        return request.make_response(
            pdf,
            headers=[("Content-Type", "application/pdf"), ("Content-Disposition", content_disposition(name))],
        )

    # ------------------------------------------------------------------
    # What the customer does (POST, CSRF checked by Odoo)
    # ------------------------------------------------------------------
    def _ar_post(self, access_id, access_token, action, posted, message):
        access = self._ar_access(access_id, access_token)
        if not access:
            return self._ar_denied()
        try:
            action(access)
        except PortalInputError as error:
            # nothing was written: the model methods check everything before they create
            return self._ar_render(access, access_token, errors=error.errors, posted=posted, status=400)
        return request.redirect(self._ar_page_url(access, access_token, message=message))

    @http.route("/my/collections/<int:access_id>/promise", type="http", auth="public", methods=["POST"], website=True)
    def portal_statement_promise(self, access_id, access_token=None, **post):
        move_ids = request.httprequest.form.getlist("move_ids")
        posted = {"form": "promise", "move_ids": move_ids, **post}
        return self._ar_post(
            access_id,
            access_token,
            lambda access: access._portal_promise(move_ids, post.get("promised_date"), post.get("amount")),
            posted,
            "promise_ok",
        )

    @http.route("/my/collections/<int:access_id>/dispute", type="http", auth="public", methods=["POST"], website=True)
    def portal_statement_dispute(self, access_id, access_token=None, **post):
        def files():
            # read once the access is checked, and no more than the largest file accepted
            # from their start: a request retried by Odoo (a serialization failure) reads them again
            uploads = [upload for upload in request.httprequest.files.getlist("attachments") if upload.filename]
            for upload in uploads:
                upload.seek(0)
            return [(upload.filename, upload.read(ATTACHMENT_MAX_BYTES + 1)) for upload in uploads]

        posted = {"form": "dispute", **{k: v for k, v in post.items() if k != "attachments"}}
        return self._ar_post(
            access_id,
            access_token,
            lambda access: access._portal_dispute(
                post.get("move_id"), post.get("reason_id"), post.get("amount"), post.get("message"), files()
            ),
            posted,
            "dispute_ok",
        )

    @http.route(
        "/my/collections/<int:access_id>/plan/request", type="http", auth="public", methods=["POST"], website=True
    )
    def portal_statement_plan_request(self, access_id, access_token=None, **post):
        return self._ar_post(
            access_id,
            access_token,
            lambda access: access._portal_request_plan(post.get("plan_message")),
            {"form": "plan_request", **post},
            "plan_request_ok",
        )

    @http.route("/my/collections/<int:access_id>/plan/<int:plan_id>/accept", type="json", auth="public", website=True)
    def portal_statement_plan_accept(self, access_id, plan_id, access_token=None, name=None, signature=None):
        # the signature form (portal.signature_form) posts JSON, the token in its URL
        access_token = access_token or request.httprequest.args.get("access_token")
        access = self._ar_access(access_id, access_token)
        if not access or not isinstance(name, (str, type(None))) or not isinstance(signature, (str, type(None))):
            return {"error": request.env._("This link does not work.")}
        try:
            access._portal_accept_plan(plan_id, name, signature)
        except PortalInputError as error:
            return {"error": " ".join(error.errors.values())}
        return {"force_refresh": True, "redirect_url": self._ar_page_url(access, access_token, message="plan_ok")}

    # ------------------------------------------------------------------
    # Pay now (account_payment's providers)
    # ------------------------------------------------------------------
    @http.route("/my/collections/<int:access_id>/pay", type="http", auth="public", website=True, sitemap=False)
    def portal_statement_pay(self, access_id, access_token=None, **kwargs):
        access = self._ar_access(access_id, access_token)
        if not access:
            return self._ar_denied()
        move_ids = request.httprequest.args.getlist("move_ids")
        try:
            invoices = access._payable_invoices(move_ids)
        except PortalInputError as error:
            return self._ar_render(access, access_token, errors=error.errors, posted={"form": "pay"}, status=400)
        currency = invoices.currency_id
        amount = currency.round(sum(invoices.mapped("amount_residual")))
        selection = "-".join(str(move_id) for move_id in invoices.ids)
        # the invoices paid; the transaction's reference is Odoo's, made when the customer pays
        reference = ", ".join(invoices.mapped("name"))
        request.update_context(lang=access.env.lang)
        values = self._prepare_portal_layout_values()
        values.update(
            self._get_common_page_view_values(
                invoices_data={
                    "partner": access.partner_id,
                    "company": access.company_id,
                    "total_amount": amount,
                    "currency": currency,
                    "amount_residual": amount,
                    "payment_reference": reference,
                    "landing_route": self._ar_page_url(access, access_token, message="paid"),
                    "transaction_route": f"/my/collections/{access.id}/transaction/{selection}",
                },
                access_token=access_token,
            )
        )
        if not access._is_portal_user_of(request.env.user):
            # a visitor with the link, or someone else logged in (a collector checking it): no
            # saved card is offered and none is saved, whoever's it would be
            values.update(
                {
                    "partner_id": access.partner_id.id,
                    "tokens_sudo": request.env["payment.token"].sudo().browse(),
                    "show_tokenize_input_mapping": dict.fromkeys(values.get("show_tokenize_input_mapping", {}), False),
                    "company_mismatch": False,
                }
            )
        values.update(
            {
                "page_name": "ar_statement_pay",
                "access": access,
                "invoices": invoices,
                "amount": amount,
                "payment": {"amount": amount, "reference": reference},
                "page_url": self._ar_page_url(access, access_token),
                "format_amount": access._format_amount,
            }
        )
        return request.render("ar_collections.portal_statement_pay", values)

    @http.route("/my/collections/<int:access_id>/transaction/<string:selection>", type="json", auth="public")
    def portal_statement_transaction(self, access_id, selection, access_token=None, payment_reference=None, **kwargs):
        """A draft transaction paying the chosen invoices in full; the amount posted must be
        what they owe now."""
        # the reference is Odoo's, made from the invoices and unique (not the one posted)
        access = self._ar_access(access_id, access_token)
        if not access:
            raise ValidationError(request.env._("This link does not work."))
        try:
            invoices = access._payable_invoices(selection.split("-"))
        except PortalInputError as error:
            raise ValidationError(" ".join(error.errors.values())) from None
        currency = invoices.currency_id
        amount = currency.round(sum(invoices.mapped("amount_residual")))
        try:
            posted = float(kwargs.get("amount"))
        except (TypeError, ValueError):
            posted = None
        if posted is None or currency.compare_amounts(posted, amount):
            raise ValidationError(
                access.env._("The amount to pay changed: reload the page to pay what the invoices owe now.")
            )
        self._validate_transaction_kwargs(kwargs)
        user = request.env.user
        if not access._is_portal_user_of(user):
            # no saved card for a link visitor: none used, none saved (see the pay page)
            if kwargs.get("flow") == "token":
                raise ValidationError(
                    access.env._("Pay with a card or method entered here: saved ones are not offered.")
                )
            kwargs["tokenization_requested"] = False
        if len(invoices) > 1:
            # a short reference for several invoices, as Odoo's batch payments have; its number
            # is taken only when a payment is started
            kwargs["reference_prefix"] = access.company_id.get_next_batch_payment_communication()
        # the payment is the customer's: booked to its receivable, whoever opened the link (a
        # collector checking it, a contact of another customer it was forwarded to)
        partner = user.partner_id if access._is_portal_user_of(user) else access.partner_id
        kwargs.pop("amount")
        kwargs.update(currency_id=currency.id, partner_id=partner.id, amount=amount)
        tx_sudo = self._create_transaction(
            custom_create_values={
                "invoice_ids": [Command.set(invoices.ids)],
                "ar_statement_access_id": access.id,
            },
            **kwargs,
        )
        return tx_sudo._get_processing_values()
