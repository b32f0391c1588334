# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools.mimetypes import guess_mimetype

from ..models.ar_statement_access import PortalInputError
from ..report.report_customer_statement import report_helpers
from .common import ArCollectionsCommon

TODAY = date(2026, 3, 20)  # the invoices of DUE (March 1st) are 19 days overdue
# a 1x1 transparent PNG: a signature as the signature widget sends it
SIGNATURE = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@tagged("post_install", "-at_install")
class TestStatementPage(ArCollectionsCommon):
    """The customer's statement page: its signed links, and what the customer does on it, as
    the controller calls it (``tests/test_portal_http.py`` goes through HTTP)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.with_company(cls.company).ar_collector_id = cls.collector
        cls.inv_1 = cls.make_invoice(1000)
        cls.inv_2 = cls.make_invoice(400, due=cls.DUE + timedelta(days=40))  # not due yet on TODAY
        cls.other_customer = cls.env["res.partner"].create({"name": "Other Customer", "is_company": True})
        cls.inv_other = cls.make_invoice(700, partner=cls.other_customer)
        cls.reason = cls.env.ref("ar_collections.ar_dispute_reason_pricing")

    def access(self, partner=None, company=None):
        return self.env["ar.statement.access"]._get_for(partner or self.customer, company or self.company)

    def refused(self, method, *args):
        """The fields ``method`` refuses, called as the page calls it: without the savepoint of
        ``assertRaises``, so that anything written before the refusal would stay and be seen."""
        try:
            method(*args)
        except PortalInputError as error:
            return error.errors
        self.fail(f"{method.__name__}{args} was accepted")

    # ------------------------------------------------------------------
    # Links
    # ------------------------------------------------------------------
    def test_signed_link_opens_its_page_only_until_it_expires_or_is_regenerated(self):
        access = self.access()
        self.assertEqual(access, self.access(), "one page per customer and company")
        with freeze_time(TODAY):
            token = access._signed_token()
            self.assertTrue(access._check_signed_token(token))
            self.assertIn(f"/my/collections/{access.id}?access_token=", access._statement_url())
        # another customer's page does not open with it, nor a tampered or empty one
        other = self.access(self.other_customer)
        with freeze_time(TODAY):
            self.assertFalse(other._check_signed_token(token))
            self.assertFalse(access._check_signed_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB")))
            self.assertFalse(access._check_signed_token("not-a-token"))
            self.assertFalse(access._check_signed_token(""))
            self.assertFalse(access._check_signed_token(other._signed_token()))
        # it expires after the company's days (60 by default)
        self.assertEqual(self.company.ar_portal_link_days, 60)
        with freeze_time(TODAY + timedelta(days=59)):
            self.assertTrue(access._check_signed_token(token))
        with freeze_time(TODAY + timedelta(days=61)):
            self.assertFalse(access._check_signed_token(token))
        # regenerated: the links sent before stop working, new ones work
        with freeze_time(TODAY):
            access.with_user(self.manager).action_regenerate()
            self.assertFalse(access._check_signed_token(token))
            self.assertTrue(access._check_signed_token(access._signed_token()))
        self.assertIn("no longer work", self.customer.message_ids[0].body)

    def test_link_of_a_company_opens_that_company_only(self):
        other_company = self.setup_other_company()["company"]
        here, there = self.access(), self.access(company=other_company)
        self.assertNotEqual(here, there)
        with freeze_time(TODAY):
            self.assertFalse(there._check_signed_token(here._signed_token()))
            values = here._statement_values()
        self.assertEqual(values["invoices"], self.inv_1 | self.inv_2)

    def test_collectors_cannot_regenerate_links_managers_can(self):
        access = self.access()
        token = access.access_token
        with self.assertRaises(AccessError):
            access.with_user(self.collector).action_regenerate()
        self.assertEqual(access.access_token, token)
        self.assertTrue(access.with_user(self.manager).action_regenerate())
        self.assertNotEqual(access.access_token, token)
        # nobody writes a page over RPC: its customer, company and token are the system's
        for user in (self.collector, self.manager):
            for vals in ({"partner_id": self.other_customer.id}, {"access_token": "chosen"}):
                with self.subTest(user=user.login, vals=vals), self.assertRaises(AccessError):
                    access.with_user(user).write(vals)
            with self.assertRaises(AccessError):
                access.with_user(user).unlink()
        # a manager of another company does not regenerate this company's links
        other_company = self.setup_other_company()["company"]
        outsider = self.make_user("ar_manager_2", "ar_collections.group_ar_collections_manager", other_company)
        with self.assertRaises(AccessError):
            access.with_user(outsider).action_regenerate()

    def test_customer_form_buttons(self):
        customer = self.customer.with_company(self.company)
        with freeze_time(TODAY):
            action = customer.with_user(self.collector).action_ar_open_statement_page()
            token = action["url"].split("access_token=")[1]
            self.assertTrue(self.access()._check_signed_token(token))
            with self.assertRaises(AccessError):
                customer.with_user(self.collector).action_ar_regenerate_statement_links()
            customer.with_user(self.manager).action_ar_regenerate_statement_links()
            self.assertFalse(self.access()._check_signed_token(token))
            # a user outside collections gets no link to a customer's page
            with self.assertRaises(AccessError):
                customer.with_user(self.billing_clerk).action_ar_open_statement_page()

    def test_reminders_carry_the_link(self):
        with freeze_time(TODAY):
            url = self.customer._ar_statement_url()
            access = self.access()
            token = url.split("access_token=")[1]
            self.assertTrue(access._check_signed_token(token))
            body = self.env["ir.qweb"]._render(
                "ar_collections.followup_invoice_table",
                {"object": self.customer.with_company(self.company), **self.report_values()},
            )
        self.assertIn(f"/my/collections/{access.id}?access_token=", str(body))

    def report_values(self):
        return report_helpers(self.env)

    # ------------------------------------------------------------------
    # The statement
    # ------------------------------------------------------------------
    @freeze_time(TODAY)
    def test_statement_shows_open_items_aging_and_pauses(self):
        credit = self.make_invoice(100, move_type="out_refund")
        self.env["ar.payment.promise"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(self.inv_1.ids)],
                "amount": 1000,
                "promised_date": TODAY + timedelta(days=5),
            }
        )
        values = self.access()._statement_values()
        self.assertEqual(values["items"].move_id, self.inv_1 | self.inv_2 | credit)
        self.assertNotIn(self.inv_other, values["items"].move_id)
        buckets = {bucket["key"]: bucket["amount"] for bucket in values["buckets"]}
        # the credit note falls due with the invoice: its bucket nets it
        self.assertEqual(buckets["1_30"], 1000 - 100)
        self.assertEqual(buckets["not_due"], 400)
        self.assertEqual(values["total"], 1300)
        self.assertIn("promised", values["pauses"][self.inv_1.id])
        self.assertEqual(values["promisable"], self.inv_2, "an invoice under an open promise is not promised again")
        self.assertEqual(values["disputable"], self.inv_1 | self.inv_2)
        # an invoice in installments shows each; a payment not yet allocated shows and counts
        split = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": TODAY - timedelta(days=10),
                "invoice_payment_term_id": self.pay_terms_b.id,
                "invoice_line_ids": [Command.create({"name": "Goods", "price_unit": 500, "tax_ids": []})],
            }
        )
        split.action_post()
        payment = self.env["account.payment"].create(
            {"payment_type": "inbound", "partner_type": "customer", "partner_id": self.customer.id, "amount": 50}
        )
        payment.action_post()
        values = self.access()._statement_values()
        installments = values["items"].filtered(lambda item: item.move_id == split)
        self.assertEqual(sorted(installments.mapped("amount_residual")), [150, 350])
        self.assertEqual(values["installments"][split.id], 2)
        self.assertEqual(values["pay_rows"][split.id], installments.sorted("date_maturity")[0].id, "one box, first row")
        unallocated = values["items"].filtered(lambda item: item.move_id == payment.move_id)
        self.assertEqual(unallocated.amount_residual, -50)
        self.assertEqual(values["total"], 1300 + 500 - 50)
        self.assertNotIn(payment.move_id, values["payable"])

    # ------------------------------------------------------------------
    # Promise
    # ------------------------------------------------------------------
    @freeze_time(TODAY)
    def test_promise_creates_the_back_office_promise_and_pauses_follow_ups(self):
        access = self.access()
        self.assertTrue(self.inv_1.ar_next_followup_date)
        promise = access._portal_promise([str(self.inv_1.id)], str(TODAY + timedelta(days=10)), "600.00")
        self.assertRecordValues(
            promise,
            [
                {
                    "partner_id": self.customer.id,
                    "channel": "portal",
                    "amount": 600,
                    "promised_date": TODAY + timedelta(days=10),
                    "state": "open",
                    "user_id": self.collector.id,
                    "portal_access_id": access.id,
                }
            ],
        )
        self.assertEqual(promise.move_ids, self.inv_1)
        self.env.flush_all()
        self.assertFalse(self.inv_1.ar_due_level_id)
        self.assertIn(self.inv_1.id, self.inv_1._ar_get_followup_pauses())
        # the chatter, the history and an activity for the collector
        history = self.env["ar.followup.history"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual((history.channel, history.outcome), ("portal", "customer"))
        self.assertIn(promise.name, history.note)
        activity = promise.activity_ids
        self.assertEqual(activity.user_id, self.collector)
        self.assertEqual(activity.activity_type_id, self.env.ref("ar_collections.mail_activity_type_portal_request"))
        self.assertTrue(any(promise.name in (m.body or "") for m in self.customer.message_ids))

    @freeze_time(TODAY)
    def test_promise_bad_input_is_refused_next_to_its_field_and_nothing_is_created(self):
        access = self.access()
        Promise = self.env["ar.payment.promise"]
        cases = [
            # (move ids, date, amount) -> the field refused
            ([str(self.inv_1.id)], str(TODAY - timedelta(days=1)), "100", "promised_date"),
            ([str(self.inv_1.id)], str(TODAY + timedelta(days=91)), "100", "promised_date"),
            ([str(self.inv_1.id)], "", "100", "promised_date"),
            ([str(self.inv_1.id)], "31/02/2026", "100", "promised_date"),
            ([str(self.inv_1.id)], str(TODAY + timedelta(days=5)), "1000.01", "amount"),
            ([str(self.inv_1.id)], str(TODAY + timedelta(days=5)), "0", "amount"),
            ([str(self.inv_1.id)], str(TODAY + timedelta(days=5)), "-5", "amount"),
            ([str(self.inv_1.id)], str(TODAY + timedelta(days=5)), "lots", "amount"),
            ([], str(TODAY + timedelta(days=5)), "100", "move_ids"),
            # another customer's invoice, a tampered id
            ([str(self.inv_other.id)], str(TODAY + timedelta(days=5)), "100", "move_ids"),
            ([str(self.inv_1.id), "999999"], str(TODAY + timedelta(days=5)), "100", "move_ids"),
            (["x"], str(TODAY + timedelta(days=5)), "100", "move_ids"),
        ]
        for move_ids, day, amount, field in cases:
            with self.subTest(move_ids=move_ids, day=day, amount=amount):
                self.assertIn(field, self.refused(access._portal_promise, move_ids, day, amount))
        self.assertFalse(Promise.search([("partner_id", "=", self.customer.id)]))
        self.assertFalse(self.customer.activity_ids)
        self.assertFalse(self.customer.ar_history_ids)
        # a paid invoice
        self.pay(self.inv_2, 400, TODAY)
        with self.assertRaises(PortalInputError) as caught:
            access._portal_promise([str(self.inv_2.id)], str(TODAY + timedelta(days=5)), "100")
        self.assertIn("move_ids", caught.exception.errors)

    @freeze_time(TODAY)
    def test_a_few_promises_and_disputes_a_day(self):
        access = self.access()
        self.company.ar_portal_daily_limit = 1
        promise = access._portal_promise([str(self.inv_1.id)], str(TODAY + timedelta(days=5)), "100")
        promise.action_cancel()
        with self.assertRaises(PortalInputError) as caught:
            access._portal_promise([str(self.inv_1.id)], str(TODAY + timedelta(days=5)), "100")
        self.assertIn("24 hours", caught.exception.errors["form"])
        dispute = access._portal_dispute(str(self.inv_2.id), str(self.reason.id), "50", "Wrong price")
        with self.assertRaises(PortalInputError):
            access._portal_dispute(str(self.inv_1.id), str(self.reason.id), "50", "Wrong price")
        # a day later (create_date is the database's clock: moved back a day)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE ar_payment_promise SET create_date = create_date - interval '25 hours' WHERE id = %s", [promise.id]
        )
        self.env.cr.execute(
            "UPDATE ar_dispute SET create_date = create_date - interval '25 hours' WHERE id = %s", [dispute.id]
        )
        self.assertTrue(access._portal_promise([str(self.inv_1.id)], str(TODAY + timedelta(days=5)), "100"))
        self.assertTrue(access._portal_dispute(str(self.inv_1.id), str(self.reason.id), "50", "Wrong price"))
        # another customer's page has its own count
        self.assertTrue(
            self.access(self.other_customer)._portal_promise(
                [str(self.inv_other.id)], str(TODAY + timedelta(days=5)), "1"
            )
        )

    # ------------------------------------------------------------------
    # Dispute
    # ------------------------------------------------------------------
    @freeze_time(TODAY)
    def test_dispute_creates_the_back_office_dispute_of_that_invoice_only(self):
        access = self.access()
        dispute = access._portal_dispute(
            str(self.inv_1.id), str(self.reason.id), "250", "The price is not the one quoted.", [("quote.pdf", PDF)]
        )
        self.assertRecordValues(
            dispute,
            [{"partner_id": self.customer.id, "amount": 250, "state": "new", "user_id": self.collector.id}],
        )
        self.assertEqual(dispute.move_ids, self.inv_1)
        self.assertIn("not the one quoted", dispute.description)
        self.assertEqual(dispute.message_ids.attachment_ids.mapped("name"), ["quote.pdf"])
        self.assertEqual(dispute.message_ids.attachment_ids.mimetype, "application/pdf")
        self.env.flush_all()
        self.assertFalse(self.inv_1.ar_due_level_id)
        pauses = (self.inv_1 | self.inv_2)._ar_get_followup_pauses()
        self.assertIn(self.inv_1.id, pauses)
        self.assertNotIn(self.inv_2.id, pauses, "only the disputed invoice pauses")
        self.assertEqual(dispute.activity_ids.user_id, self.collector)
        # no second dispute of the same invoice
        with self.assertRaises(PortalInputError) as caught:
            access._portal_dispute(str(self.inv_1.id), str(self.reason.id), "10", "Again")
        self.assertIn("move_id", caught.exception.errors)
        # a page that reads as text is stored and served as text, whatever its name says
        page = b"hello <script>x</script>"
        if guess_mimetype(page) == "text/plain":  # Odoo's own guess, without python-magic
            other = access._portal_dispute(
                str(self.inv_2.id), str(self.reason.id), "10", "See the note", [("note.html", page)]
            )
            self.assertEqual(other.message_ids.attachment_ids.mimetype, "text/plain")
        else:  # python-magic reads it as HTML: refused
            self.assertIn(
                "attachments",
                self.refused(
                    access._portal_dispute, str(self.inv_2.id), str(self.reason.id), "1", "x", [("n.html", page)]
                ),
            )

    @freeze_time(TODAY)
    def test_what_the_customer_writes_is_shown_as_text(self):
        message = "Line one\n<script>alert('x')</script> <b>bold</b>"
        dispute = self.access()._portal_dispute(str(self.inv_1.id), str(self.reason.id), "10", message)
        self.assertIn("Line one<br>", dispute.description, "its lines kept")
        for html in (str(dispute.description), dispute.activity_ids.note, self.customer.ar_history_ids.note):
            self.assertIn("&lt;script&gt;", html)
            self.assertNotIn("<script", html)
            self.assertNotIn("<b>", html)

    @freeze_time(TODAY)
    def test_dispute_bad_input_is_refused_next_to_its_field(self):
        access = self.access()
        big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)
        cases = [
            ((str(self.inv_1.id), str(self.reason.id), "250", "  "), (), "message"),
            ((str(self.inv_1.id), "", "250", "Wrong"), (), "reason_id"),
            ((str(self.inv_1.id), str(self.reason.id), "1000.50", "Wrong"), (), "amount"),
            ((str(self.inv_1.id), str(self.reason.id), "0", "Wrong"), (), "amount"),
            ((str(self.inv_other.id), str(self.reason.id), "10", "Wrong"), (), "move_id"),
            (("", str(self.reason.id), "10", "Wrong"), (), "move_id"),
            ((str(self.inv_1.id), str(self.reason.id), "10", "Wrong"), [("big.pdf", big)], "attachments"),
            ((str(self.inv_1.id), str(self.reason.id), "10", "Wrong"), [("run.exe", b"MZ\x90\x00\x03")], "attachments"),
        ]
        for args, files, field in cases:
            with self.subTest(args=args, field=field):
                self.assertIn(field, self.refused(access._portal_dispute, *args, files))
        self.assertFalse(self.env["ar.dispute"].search([("partner_id", "=", self.customer.id)]))
        self.assertFalse(self.env["ir.attachment"].search([("res_model", "=", "ar.dispute"), ("name", "=", "big.pdf")]))
        self.assertFalse(self.customer.activity_ids)
        self.assertFalse(self.customer.ar_history_ids)
        # a paid invoice is not disputed
        self.pay(self.inv_2, 400, TODAY)
        self.assertIn(
            "move_id", self.refused(access._portal_dispute, str(self.inv_2.id), str(self.reason.id), "1", "x")
        )

    # ------------------------------------------------------------------
    # Payment plan
    # ------------------------------------------------------------------
    def proposed_plan(self):
        plan = self.env["ar.payment.plan"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(self.inv_1.ids)],
                "installment_count": 2,
                "first_date": TODAY + timedelta(days=7),
            }
        )
        plan.action_generate_schedule()
        plan.action_mark_proposed()
        return plan

    @freeze_time(TODAY)
    def test_accepting_a_proposed_plan_activates_it_as_customer_accepted_does(self):
        plan = self.proposed_plan()
        access = self.access()
        self.assertEqual(access._statement_values()["plans"], plan)
        with self.assertRaises(PortalInputError) as caught:
            access._portal_accept_plan(plan.id, "", SIGNATURE)
        self.assertIn("name", caught.exception.errors)
        with self.assertRaises(PortalInputError) as caught:
            access._portal_accept_plan(plan.id, "Jane Buyer", "")
        self.assertIn("signature", caught.exception.errors)
        with self.assertRaises(PortalInputError):
            access._portal_accept_plan(plan.id, "Jane Buyer", "not base64!")
        # base64 that is not an image: refused as a signature, nothing left for the collector
        try:
            access._portal_accept_plan(plan.id, "Jane Buyer", base64.b64encode(b"<html>hello</html>").decode())
        except PortalInputError as error:
            self.assertIn("signature", error.errors)
        else:
            self.fail("a non-image signature was accepted")
        self.assertFalse(plan.activity_ids)
        self.assertEqual(plan.state, "proposed")
        access._portal_accept_plan(plan.id, "Jane Buyer", SIGNATURE)
        self.assertRecordValues(plan, [{"state": "active", "signed_by": "Jane Buyer", "date_activated": TODAY}])
        self.assertEqual(base64.b64decode(plan.signature)[:4], b"\x89PNG")
        self.assertEqual(
            self.customer.with_company(self.company).ar_collection_stage_id,
            self.env["ar.collection.stage"]._get_stage_of_type("payment_plan"),
        )
        self.env.flush_all()
        self.assertFalse(self.inv_1.ar_due_level_id)
        self.assertEqual(plan.activity_ids.user_id, self.collector)
        # accepted once: not again
        with self.assertRaises(PortalInputError):
            access._portal_accept_plan(plan.id, "Jane Buyer", SIGNATURE)

    @freeze_time(TODAY)
    def test_another_customers_plan_cannot_be_accepted(self):
        plan = self.proposed_plan()
        with self.assertRaises(PortalInputError):
            self.access(self.other_customer)._portal_accept_plan(plan.id, "Intruder", SIGNATURE)
        self.assertEqual(plan.state, "proposed")

    @freeze_time(TODAY)
    def test_a_plan_that_cannot_start_is_left_for_the_collector(self):
        plan = self.proposed_plan()
        self.pay(self.inv_1, 100, TODAY)  # the balance changed since the schedule was made
        # as the page calls it: what the refusal leaves behind is kept (no assertRaises savepoint)
        try:
            self.access()._portal_accept_plan(plan.id, "Jane Buyer", SIGNATURE)
        except PortalInputError as error:
            self.assertIn("update", error.errors["form"])
        else:
            self.fail("the plan was accepted")
        self.assertEqual(plan.state, "proposed")
        self.assertFalse(plan.signed_by)
        self.assertEqual(plan.activity_ids.user_id, self.collector, "the collector is told")
        # trying again tells the collector nothing more
        self.assertIn("form", self.refused(self.access()._portal_accept_plan, plan.id, "Jane Buyer", SIGNATURE))
        self.assertEqual(len(plan.activity_ids), 1)

    @freeze_time(TODAY)
    def test_invoices_of_a_proposed_plan_are_neither_promised_nor_disputed(self):
        plan = self.proposed_plan()
        access = self.access()
        day = str(TODAY + timedelta(days=5))
        self.assertIn("move_ids", self.refused(access._portal_promise, [str(self.inv_1.id)], day, "10"))
        self.assertIn(
            "move_id", self.refused(access._portal_dispute, str(self.inv_1.id), str(self.reason.id), "1", "x")
        )
        # and a customer with a plan does not ask for another one
        self.assertIn("plan_message", self.refused(access._portal_request_plan, "Another plan please"))
        self.assertTrue(access._portal_promise([str(self.inv_2.id)], day, "10"), "its other invoices may be")
        self.assertEqual(plan.state, "proposed")

    @freeze_time(TODAY)
    def test_what_the_page_stores_is_in_the_collectors_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["ar_collections"], ["fr_FR"], overwrite=True)
        self.customer.lang = "fr_FR"
        self.collector.lang = "en_US"
        page = self.access().with_context(lang="fr_FR")  # as the French customer's visit runs
        page._portal_promise([str(self.inv_1.id)], str(TODAY + timedelta(days=5)), "100")
        activity = self.customer.activity_ids | self.env["ar.payment.promise"].search([]).activity_ids
        self.assertEqual(activity.summary, "Customer promised to pay")
        self.assertIn("the customer promised to pay", self.customer.ar_history_ids.note)
        self.assertIn("Follow-up: Customer", self.customer.message_ids[0].body, "the chatter line too")
        # a French collector reads French
        self.collector.lang = "fr_FR"
        page._portal_dispute(str(self.inv_2.id), str(self.reason.id), "10", "Prix faux")
        dispute = self.env["ar.dispute"].search([("partner_id", "=", self.customer.id)])
        self.assertNotEqual(dispute.activity_ids.summary, "Customer disputes an invoice")
        self.assertTrue(dispute.activity_ids.summary)

    @freeze_time(TODAY)
    def test_asking_for_a_plan_gives_the_collector_an_activity_once(self):
        access = self.access()
        with self.assertRaises(PortalInputError):
            access._portal_request_plan(" ")
        access._portal_request_plan("I can pay 200 a month.")
        activity = self.customer.activity_ids
        self.assertEqual(activity.user_id, self.collector)
        self.assertIn("200 a month", activity.note)
        self.assertTrue(access._statement_values()["plan_requested"])
        with self.assertRaises(PortalInputError):
            access._portal_request_plan("Again")
        self.assertEqual(len(self.customer.activity_ids), 1)
        self.assertEqual(activity.ar_plan_request_access_id, access)
        # the request was made to this company: the customer's page in another one is free to ask
        other_company = self.setup_other_company()["company"]
        self.make_invoice(300, company=other_company)
        there = self.access(company=other_company)
        self.assertFalse(there._statement_values()["plan_requested"])
        there._portal_request_plan("And 100 a month here.")
        self.assertEqual(len(self.customer.activity_ids), 2)
        # dealt with: the customer may ask again
        activity.action_done()
        self.assertFalse(access._statement_values()["plan_requested"])
        self.assertTrue(there._statement_values()["plan_requested"])

    @freeze_time(TODAY)
    def test_requests_go_to_the_company_contact_without_a_collector(self):
        self.customer.with_company(self.company).ar_collector_id = False
        access = self.access()
        owner = access._owner()
        self.assertTrue(owner.has_group("ar_collections.group_ar_collections_manager"))
        self.assertIn(self.company, owner.company_ids, "a collections manager of the company")
        self.company.ar_portal_user_id = self.collector
        self.assertEqual(access._owner(), self.collector)

    # ------------------------------------------------------------------
    # Pay now: the choice, checked again
    # ------------------------------------------------------------------
    @freeze_time(TODAY)
    def test_payable_invoices_are_the_customers_own_open_ones(self):
        access = self.access()
        self.assertEqual(access._payable_invoices([str(self.inv_1.id), str(self.inv_2.id)]), self.inv_1 | self.inv_2)
        for ids in ([str(self.inv_other.id)], [], ["0"], [str(self.inv_1.id), str(self.inv_other.id)]):
            with self.subTest(ids=ids), self.assertRaises(PortalInputError):
                access._payable_invoices(ids)

    @freeze_time(TODAY)
    def test_settings_are_bounded(self):
        for vals in ({"ar_portal_link_days": 0}, {"ar_portal_link_days": 400}, {"ar_portal_daily_limit": 0}):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                self.company.write(vals)
