# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import io
import re
from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import hash_sign
from odoo.tools.pdf import PdfReader

from ..models.ar_statement_access import SCOPE
from .common import ArCollectionsCommon

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# a 4x4 red PNG: a company logo
LOGO_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGP8z4AATAxEcQAz0QEHOoQ+uAAAAABJRU5ErkJggg=="


@tagged("post_install", "-at_install")
class TestStatementPageHttp(ArCollectionsCommon, HttpCase):
    """The statement page over HTTP, as a customer's browser reaches it: the access checks,
    the CSRF token, and what is posted checked again by the server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.with_company(cls.company).ar_collector_id = cls.collector
        cls.inv_1 = cls.make_invoice(1000)
        cls.inv_2 = cls.make_invoice(400)
        cls.other_customer = cls.env["res.partner"].create({"name": "Zeta Rivals", "is_company": True})
        cls.inv_other = cls.make_invoice(700, partner=cls.other_customer)
        Access = cls.env["ar.statement.access"]
        cls.access = Access._get_for(cls.customer, cls.company)
        cls.other_access = Access._get_for(cls.other_customer, cls.company)
        cls.reason = cls.env.ref("ar_collections.ar_dispute_reason_pricing")
        cls.today = fields.Date.context_today(cls.customer)

    def page_url(self, access=None, token=None, suffix=""):
        access = access or self.access
        token = access._signed_token() if token is None else token
        return f"{access.access_url}{suffix}?access_token={token}"

    def open_page(self):
        response = self.url_open(self.page_url())
        self.assertEqual(response.status_code, 200)
        return response.text, CSRF.search(response.text).group(1)

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------
    def test_the_link_shows_the_statement_of_that_customer(self):
        html, _csrf = self.open_page()
        self.assertIn(self.inv_1.name, html)
        self.assertIn(self.inv_2.name, html)
        self.assertIn(self.company.name, html, "it says who it is from")
        self.assertNotIn(self.inv_other.name, html)
        self.assertNotIn("Zeta Rivals", html)
        pdf = self.url_open(self.page_url(suffix="/statement.pdf"))
        self.assertEqual(pdf.status_code, 200)
        self.assertEqual(pdf.headers["Content-Type"], "application/pdf")
        # in test mode Odoo renders reports as HTML (its force_report_rendering is not set over HTTP)
        self.assertIn(self.inv_1.name, pdf.text)
        self.assertNotIn(self.inv_other.name, pdf.text)
        # the statement links to the page by the visitor's own link: downloading renews nothing
        token = self.access._signed_token()
        pdf = self.url_open(self.page_url(token=token, suffix="/statement.pdf"))
        self.assertEqual(set(re.findall(r"/my/collections/\d+\?access_token=([\w-]+)", pdf.text)), {token})

    def test_statement_pdf_names_its_sender_and_ages_the_balance(self):
        """Rendered by the real wkhtmltopdf (with the server up for its assets) and read back:
        the body says who it is from, whatever the page header does on this machine."""
        self.company.write(
            {
                "phone": "+32 2 555 01 01",
                "email": "credit@company-one.example.com",
                "street": "12 Rue du Recouvrement",
                "logo": LOGO_PNG,
            }
        )
        self.env["res.partner.bank"].create(
            {"partner_id": self.company.partner_id.id, "acc_number": "BE71096123456769"}
        )
        pdf, _type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("ar_collections.action_report_customer_statement", self.customer.ids)
        )
        pages = PdfReader(io.BytesIO(pdf)).pages
        text = " ".join(" ".join(page.extract_text() for page in pages).split())
        for expected in (
            self.company.name,
            "12 Rue du Recouvrement",
            "+32 2 555 01 01",
            "credit@company-one.example.com",
            "BE71096123456769",
            "120+ days",
        ):
            self.assertIn(expected, text)
        images = [
            xobject
            for page in pages
            for xobject in page["/Resources"].get("/XObject", {}).values()
            if xobject.get_object().get("/Subtype") == "/Image"
        ]
        self.assertTrue(images, "the company's logo")
        self.assertIn(self.inv_1.name, text)
        self.assertIn("1,400.00", text, "the aging summary and the total")

    def test_the_page_is_in_the_customers_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["ar_collections"], ["fr_FR"], overwrite=True)
        self.customer.lang = "fr_FR"
        html, _csrf = self.open_page()
        for text in ("Relevé de compte", "Promesse de paiement", "Contester une facture", "Total dû"):
            self.assertIn(text, html)

    def test_wrong_links_get_a_plain_403(self):
        token = self.access._signed_token()
        urls = {
            "no token": f"{self.access.access_url}",
            "tampered": self.page_url(token=token[:-3] + "abc"),
            "another customer's": self.page_url(token=self.other_access._signed_token()),
            "made up": self.page_url(token="x" * 40),
            "no such page": f"/my/collections/999999?access_token={token}",
            "pdf without token": f"{self.access.access_url}/statement.pdf",
            "pdf with another customer's token": self.page_url(
                token=self.other_access._signed_token(), suffix="/statement.pdf"
            ),
        }
        for what, url in urls.items():
            with self.subTest(what=what):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 403)
                self.assertIn("This link does not work", response.text)
                for secret in (self.customer.name, self.inv_1.name, "1,000.00"):
                    self.assertNotIn(secret, response.text)
        # regenerated: the old link is refused, the new one works
        self.access.action_regenerate()
        self.assertEqual(self.url_open(self.page_url(token=token)).status_code, 403)
        self.assertEqual(self.url_open(self.page_url()).status_code, 200)

    def test_an_expired_link_gets_the_plain_403(self):
        def token(expires_in):
            values = {"id": self.access.id, "token": self.access.access_token}
            return hash_sign(self.env(su=True), SCOPE, values, expiration=datetime.now() + expires_in)

        self.assertEqual(self.url_open(self.page_url(token=token(timedelta(minutes=5)))).status_code, 200)
        for url in (self.page_url(token=token(timedelta(minutes=-1))),
                    self.page_url(token=token(timedelta(minutes=-1)), suffix="/statement.pdf")):  # fmt: skip
            response = self.url_open(url)
            self.assertEqual(response.status_code, 403)
            self.assertIn("This link does not work", response.text)
            self.assertNotIn(self.customer.name, response.text)

    def test_each_company_shows_its_own_invoices_and_takes_its_own(self):
        other_company = self.setup_other_company(name="Second Works")["company"]
        inv_there = self.make_invoice(333, company=other_company)
        there = self.env["ar.statement.access"]._get_for(self.customer, other_company)
        html, csrf = self.open_page()
        self.assertNotIn("333.00", html)
        self.assertNotIn("Second Works", html)
        html_there = self.url_open(self.page_url(there)).text
        self.assertIn("333.00", html_there)
        self.assertIn("Second Works", html_there)
        self.assertNotIn("1,000.00", html_there)
        # this company's page takes nothing for the other's invoice
        day = str(self.today + timedelta(days=5))
        response = self.post("/promise", {"move_ids": inv_there.id, "promised_date": day, "amount": "10"}, csrf)
        self.assertEqual(response.status_code, 400)
        self.assertIn('data-field="move_ids"', response.text)
        self.assertEqual(self.url_open(f"{self.page_url(suffix='/pay')}&move_ids={inv_there.id}").status_code, 400)
        self.assertFalse(self.env["ar.payment.promise"].search([("partner_id", "=", self.customer.id)]))
        # a portal user working with both companies chooses; one working with one sees that one
        contact = self.env["res.partner"].create({"name": "Jane Buyer", "parent_id": self.customer.id})
        both = self.company | other_company
        new_test_user(self.env, login="jane", groups="base.group_portal", partner_id=contact.id,
                      company_id=self.company.id, company_ids=[Command.set(both.ids)])  # fmt: skip
        self.authenticate("jane", "jane")
        choice = self.url_open("/my/collections")
        self.assertEqual(choice.status_code, 200)
        for page in (self.access, there):
            self.assertIn(f'href="{page.access_url}"', choice.text)
            self.assertEqual(self.url_open(page.access_url).status_code, 200)
        self.assertIn("Second Works", choice.text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["ar_statement_count"]})
        self.assertEqual(counters["ar_statement_count"], 3, "the open invoices of both companies")
        contact.user_ids.company_ids = [Command.set(self.company.ids)]
        self.assertTrue(self.url_open("/my/collections").url.endswith(self.access.access_url))
        self.assertEqual(self.url_open(there.access_url).status_code, 403)

    def test_what_customers_write_and_names_are_shown_as_text(self):
        self.customer.name = "Acme <script>alert('name')</script>"
        html, csrf = self.open_page()
        self.assertNotIn("<script>alert('name')", html)
        self.assertIn("&lt;script&gt;alert", html)
        data = {"move_id": self.inv_1.id, "reason_id": self.reason.id, "amount": "10",
                "message": "<script>alert('dispute')</script>"}  # fmt: skip
        self.assertEqual(self.post("/dispute", data, csrf).status_code, 303)
        notes = self.customer.ar_history_ids.mapped("note") + self.customer.activity_ids.mapped("note")
        dispute = self.env["ar.dispute"].search([("partner_id", "=", self.customer.id)])
        for note in [*notes, str(dispute.description)]:
            self.assertNotIn("<script>", note)
            self.assertIn("&lt;script&gt;alert(", note)

    def test_promise_and_payment_in_the_invoices_currency(self):
        provider = self.demo_provider()
        eur = self.setup_other_currency("EUR")  # 2 EUR for 1 of the company's currency
        inv_eur = self.make_invoice(900, currency=eur)
        html, csrf = self.open_page()
        self.assertIn("900.00", html)
        day = str(self.today + timedelta(days=5))
        for move_ids, amount, field in (
            ([inv_eur.id], "950", "amount"),
            ([inv_eur.id, self.inv_1.id], "10", "move_ids"),
        ):
            with self.subTest(move_ids=move_ids):
                response = self.post("/promise", {"move_ids": move_ids, "promised_date": day, "amount": amount}, csrf)
                self.assertEqual(response.status_code, 400)
                self.assertIn(f'data-field="{field}"', response.text)
        self.assertEqual(
            self.post("/promise", {"move_ids": inv_eur.id, "promised_date": day, "amount": "800"}, csrf).status_code,
            303,
        )
        promise = self.env["ar.payment.promise"].search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(promise, [{"amount": 800, "currency_id": eur.id}])
        # pay now: one currency at a time, in the invoice's own
        pay = f"{self.access.access_url}/pay?access_token={self.access._signed_token()}"
        self.assertEqual(self.url_open(f"{pay}&move_ids={inv_eur.id}&move_ids={self.inv_1.id}").status_code, 400)
        self.assertEqual(self.url_open(f"{pay}&move_ids={inv_eur.id}").status_code, 200)
        params = {
            "provider_id": provider.id, "payment_method_id": provider.payment_method_ids.id, "token_id": None,
            "flow": "direct", "tokenization_requested": False, "landing_route": self.access.access_url,
            "is_validation": False, "access_token": self.access._signed_token(),
        }  # fmt: skip
        route = f"/my/collections/{self.access.id}/transaction/{inv_eur.id}"
        with self.assertRaises(JsonRpcException):  # the amount in the company's currency is not what is owed
            self.make_jsonrpc_request(route, dict(params, amount=450.0))
        self.make_jsonrpc_request(route, dict(params, amount=900.0))
        tx = self.env["payment.transaction"].search([("provider_id", "=", provider.id)])
        self.assertRecordValues(tx, [{"amount": 900.0, "currency_id": eur.id}])
        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {"reference": tx.reference, "payment_details": "4242", "simulated_state": "done"},
        )
        tx._post_process()
        self.assertEqual(inv_eur.amount_residual, 0.0)
        self.assertEqual(promise.state, "kept", "the promise reacts to the payment as to any")
        self.assertEqual(self.customer.with_company(self.company).ar_total_due, 1400.0, "inv_1 and inv_2 left")

    def test_portal_users_see_their_own_statement_only(self):
        contact = self.env["res.partner"].create({"name": "Jane Buyer", "parent_id": self.customer.id})
        new_test_user(
            self.env,
            login="jane",
            groups="base.group_portal",
            partner_id=contact.id,
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.authenticate("jane", "jane")
        home = self.url_open("/my/collections")
        self.assertEqual(home.status_code, 200)
        self.assertTrue(home.url.endswith(self.access.access_url))
        self.assertIn(self.inv_1.name, home.text)
        self.assertEqual(self.url_open(self.other_access.access_url).status_code, 403)
        self.assertIn("/my/collections", self.url_open("/my").text)

    # ------------------------------------------------------------------
    # Posts
    # ------------------------------------------------------------------
    def post(self, suffix, data, csrf, files=None):
        return self.url_open(
            f"{self.access.access_url}{suffix}",
            data={"csrf_token": csrf, "access_token": self.access._signed_token(), **data},
            files=files,
            allow_redirects=False,
        )

    def test_promise_needs_the_csrf_token_and_is_checked_again(self):
        _html, csrf = self.open_page()
        Promise = self.env["ar.payment.promise"]
        day = str(self.today + timedelta(days=10))
        response = self.post("/promise", {"move_ids": self.inv_1.id, "promised_date": day, "amount": "500"}, "bad")
        self.assertEqual(response.status_code, 400)
        # a tampered amount, another customer's invoice: refused, shown next to the field
        response = self.post("/promise", {"move_ids": self.inv_1.id, "promised_date": day, "amount": "5000"}, csrf)
        self.assertEqual(response.status_code, 400)
        self.assertRegex(response.text, r'data-field="amount"[^>]*>At most')
        response = self.post("/promise", {"move_ids": self.inv_other.id, "promised_date": day, "amount": "5"}, csrf)
        self.assertEqual(response.status_code, 400)
        self.assertIn('data-field="move_ids"', response.text)
        self.assertFalse(Promise.search([("partner_id", "in", (self.customer | self.other_customer).ids)]))
        response = self.post("/promise", {"move_ids": self.inv_1.id, "promised_date": day, "amount": "500"}, csrf)
        self.assertEqual(response.status_code, 303)
        self.assertIn("message=promise_ok", response.headers["Location"])
        promise = Promise.search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(promise, [{"amount": 500, "channel": "portal", "state": "open"}])
        self.assertEqual(promise.move_ids, self.inv_1)
        self.assertIn("Thank you", self.url_open(response.headers["Location"]).text)

    def test_posts_without_the_csrf_token_are_refused(self):
        _html, _csrf = self.open_page()
        dispute = {"move_id": self.inv_1.id, "reason_id": self.reason.id, "amount": "10", "message": "Wrong"}
        for suffix, data in (("/dispute", dispute), ("/plan/request", {"plan_message": "200 a month"})):
            with self.subTest(suffix=suffix):
                self.assertEqual(self.post(suffix, data, "forged").status_code, 400)
        self.assertFalse(self.env["ar.dispute"].search([("partner_id", "=", self.customer.id)]))
        self.assertFalse(self.customer.activity_ids)

    def test_dispute_with_two_attachments(self):
        _html, csrf = self.open_page()
        data = {"move_id": self.inv_1.id, "reason_id": self.reason.id, "amount": "100", "message": "See both"}
        files = [("attachments", ("a.txt", b"first note\n")), ("attachments", ("b.pdf", b"%PDF-1.4\n%%EOF\n"))]
        self.assertEqual(self.post("/dispute", data, csrf, files=files).status_code, 303)
        dispute = self.env["ar.dispute"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(sorted(dispute.message_ids.attachment_ids.mapped("name")), ["a.txt", "b.pdf"])
        self.assertEqual(
            sorted(dispute.message_ids.attachment_ids.mapped("raw")), [b"%PDF-1.4\n%%EOF\n", b"first note\n"]
        )

    def test_dispute_with_an_attachment(self):
        _html, csrf = self.open_page()
        data = {"move_id": self.inv_2.id, "reason_id": self.reason.id, "amount": "400", "message": "Never delivered"}
        response = self.post("/dispute", data, csrf, files={"attachments": ("note.txt", b"Delivery note missing\n")})
        self.assertEqual(response.status_code, 303)
        dispute = self.env["ar.dispute"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(dispute.move_ids, self.inv_2)
        self.assertEqual(dispute.message_ids.attachment_ids.mapped("name"), ["note.txt"])
        # a refused file type: nothing more created, the error next to the field
        data["move_id"] = self.inv_1.id
        response = self.post("/dispute", data, csrf, files={"attachments": ("x.exe", b"MZ\x90\x00\x03\x00")})
        self.assertEqual(response.status_code, 400)
        self.assertIn('data-field="attachments"', response.text)
        self.assertEqual(self.env["ar.dispute"].search_count([("partner_id", "=", self.customer.id)]), 1)

    def test_plan_accepted_with_a_signature(self):
        plan = self.env["ar.payment.plan"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(self.inv_1.ids)],
                "installment_count": 2,
                "first_date": self.today + timedelta(days=7),
            }
        )
        plan.action_generate_schedule()
        plan.action_mark_proposed()
        html, _csrf = self.open_page()
        self.assertIn(plan.name, html)
        self.assertIn("portal.signature_form", html)
        url = self.page_url(suffix=f"/plan/{plan.id}/accept")
        signature = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
        refused = self.make_jsonrpc_request(
            self.page_url(self.other_access, suffix=f"/plan/{plan.id}/accept"),
            {
                "name": "Intruder",
                "signature": signature,
            },
        )
        self.assertIn("error", refused)
        self.assertEqual(plan.state, "proposed")
        result = self.make_jsonrpc_request(url, {"name": "Jane Buyer", "signature": signature})
        self.assertIn("message=plan_ok", result["redirect_url"])
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.signed_by, "Jane Buyer")

    # ------------------------------------------------------------------
    # Pay now
    # ------------------------------------------------------------------
    def demo_provider(self):
        # sudo: the test user administers its own company only; the demo provider is of the main one
        provider = (
            self.env.ref("payment.payment_provider_demo")
            .sudo()
            .copy(
                {
                    "company_id": self.company.id,
                    "state": "test",
                    "is_published": True,
                    "payment_method_ids": [Command.set(self.env.ref("payment_demo.payment_method_demo").ids)],
                }
            )
        )
        return provider

    def tx_params(self, provider, token=None):
        return {
            "provider_id": provider.id, "payment_method_id": provider.payment_method_ids.id, "token_id": None,
            "flow": "direct", "tokenization_requested": False, "landing_route": self.access.access_url,
            "is_validation": False, "access_token": token or self.access._signed_token(),
        }  # fmt: skip

    def test_an_invoice_in_installments_has_one_pay_box(self):
        split = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": self.today - timedelta(days=10),
                "invoice_payment_term_id": self.pay_terms_b.id,
                "invoice_line_ids": [Command.create({"name": "Goods", "price_unit": 500, "tax_ids": []})],
            }
        )
        split.action_post()
        html, _csrf = self.open_page()
        pay_form = html.split("o_ar_promise_form")[0]
        self.assertEqual(pay_form.count(f'name="move_ids" value="{split.id}"'), 1, "one box for its two rows")
        self.assertIn("Ticked, the whole invoice is paid", pay_form)

    def test_an_invoice_with_a_payment_pending_is_not_paid_twice(self):
        provider = self.demo_provider()
        route = f"/my/collections/{self.access.id}/transaction/{self.inv_1.id}"
        self.make_jsonrpc_request(route, dict(self.tx_params(provider), amount=1000.0))
        tx = self.env["payment.transaction"].search([("provider_id", "=", provider.id)])
        tx._set_pending()  # the bank has not confirmed yet (a transfer, a direct debit)
        html, _csrf = self.open_page()
        self.assertIn("Payment pending", html)
        pay_form = html.split("o_ar_promise_form")[0]
        self.assertNotIn(f'name="move_ids" value="{self.inv_1.id}"', pay_form)
        self.assertIn(f'name="move_ids" value="{self.inv_2.id}"', pay_form)
        self.assertEqual(self.url_open(f"{self.page_url(suffix='/pay')}&move_ids={self.inv_1.id}").status_code, 400)
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(route, dict(self.tx_params(provider), amount=1000.0))
        self.assertEqual(len(self.env["payment.transaction"].search([("provider_id", "=", provider.id)])), 1)
        # the other invoice is still payable
        self.assertEqual(self.url_open(f"{self.page_url(suffix='/pay')}&move_ids={self.inv_2.id}").status_code, 200)

    def test_a_payment_through_the_link_is_the_customers_whoever_opens_it(self):
        provider = self.demo_provider()
        provider.allow_tokenization = True
        # the collector's own saved card
        collector_card = self.env["payment.token"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": provider.payment_method_ids.id,
                "partner_id": self.collector.partner_id.id,
                "payment_details": "1111",
                "provider_ref": "collector-card",
            }
        )
        self.authenticate(self.collector.login, self.collector.login)  # a collector checking the link
        page = self.url_open(f"{self.page_url(suffix='/pay')}&move_ids={self.inv_2.id}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("1111", page.text, "no saved card offered")
        self.assertNotIn("o_payment_tokenize_checkbox", page.text, "nothing saved")
        route = f"/my/collections/{self.access.id}/transaction/{self.inv_2.id}"
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                route, dict(self.tx_params(provider), amount=400.0, flow="token", token_id=collector_card.id)
            )
        self.make_jsonrpc_request(route, dict(self.tx_params(provider), amount=400.0, tokenization_requested=True))
        tx = self.env["payment.transaction"].search([("provider_id", "=", provider.id)])
        self.assertEqual(tx.partner_id, self.customer)
        self.assertFalse(tx.tokenize)
        # an expired link makes no transaction
        values = {"id": self.access.id, "token": self.access.access_token}
        expired = hash_sign(self.env(su=True), SCOPE, values, expiration=datetime.now() - timedelta(minutes=1))
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                f"/my/collections/{self.access.id}/transaction/{self.inv_1.id}",
                dict(self.tx_params(provider, token=expired), amount=1000.0),
            )
        self.assertEqual(len(self.env["payment.transaction"].search([("provider_id", "=", provider.id)])), 1)
        # the customer's own portal user may save its card, as on Odoo's invoice pages
        contact = self.env["res.partner"].create({"name": "Jane Buyer", "parent_id": self.customer.id})
        new_test_user(self.env, login="jane", groups="base.group_portal", partner_id=contact.id,
                      company_id=self.company.id, company_ids=[Command.set(self.company.ids)])  # fmt: skip
        self.authenticate("jane", "jane")
        page = self.url_open(f"{self.access.access_url}/pay?move_ids={self.inv_2.id}")
        self.assertIn("o_payment_tokenize_checkbox", page.text)

    def test_pay_now_pays_the_chosen_invoices_and_the_customer_owes_the_rest(self):
        provider = self.demo_provider()
        invoices = self.inv_1 | self.inv_2

        def batch_number():
            sequence = self.company.sudo().batch_payment_sequence_id
            return sequence.number_next_actual if sequence else 0

        before = batch_number()
        for _visit in range(2):
            page = self.url_open(
                f"{self.access.access_url}/pay?access_token={self.access._signed_token()}"
                f"&move_ids={self.inv_1.id}&move_ids={self.inv_2.id}"
            )
            self.assertEqual(page.status_code, 200)
        self.assertEqual(batch_number(), before, "looking at the pay page takes no reference number")
        self.assertIn("o_payment_form", page.text)
        selection = f"{self.inv_1.id}-{self.inv_2.id}"
        route = f"/my/collections/{self.access.id}/transaction/{selection}"
        params = {
            "provider_id": provider.id,
            "payment_method_id": provider.payment_method_ids.id,
            "token_id": None,
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": self.access.access_url,
            "is_validation": False,
            "access_token": self.access._signed_token(),
            "payment_reference": "BATCH",
        }
        Tx = self.env["payment.transaction"]
        # a tampered amount, another customer's invoice, another customer's token: refused
        for what, url, amount, token in (
            ("amount", route, 100.0, params["access_token"]),
            (
                "invoice",
                f"/my/collections/{self.access.id}/transaction/{self.inv_other.id}",
                700.0,
                params["access_token"],
            ),
            ("token", route, 1400.0, self.other_access._signed_token()),
        ):
            with self.subTest(what=what), self.assertRaises(JsonRpcException):
                self.make_jsonrpc_request(url, dict(params, amount=amount, access_token=token))
        self.assertFalse(Tx.search([("provider_id", "=", provider.id)]))
        # a first attempt abandoned: a second one is made, with its own reference
        self.make_jsonrpc_request(route, dict(params, amount=1400.0))
        abandoned = Tx.search([("provider_id", "=", provider.id)])
        self.make_jsonrpc_request(route, dict(params, amount=1400.0))
        tx = Tx.search([("provider_id", "=", provider.id)]) - abandoned
        self.assertNotEqual(tx.reference, abandoned.reference)
        self.assertTrue(tx.reference.startswith("BATCH/"), "a short reference for several invoices")
        self.assertEqual(tx.invoice_ids, invoices)
        self.assertEqual(tx.amount, 1400)
        self.assertEqual(tx.partner_id, self.customer)
        # the demo provider says it is paid; Odoo posts and reconciles the payment
        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {"reference": tx.reference, "payment_details": "4242", "simulated_state": "done"},
        )
        tx._post_process()
        self.assertEqual(tx.state, "done")
        self.assertTrue(tx.payment_id)
        self.assertEqual(invoices.mapped("amount_residual"), [0.0, 0.0])
        for state in invoices.mapped("payment_state"):
            self.assertIn(state, ("in_payment", "paid"))
        self.assertEqual(self.customer.with_company(self.company).ar_total_due, 0.0)
        # the collector hears of it, as of every action on the page
        self.assertIn(tx.reference, self.customer.message_ids[0].body)
        history = self.env["ar.followup.history"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(history.channel, "portal")
        self.assertIn(tx.reference, history.note)
        self.assertEqual(
            self.customer.activity_ids.filtered(lambda a: "paid online" in (a.summary or "")).user_id, self.collector
        )
