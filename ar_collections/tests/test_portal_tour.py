# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re
from datetime import timedelta
from urllib.parse import urlsplit

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from .common import ArCollectionsCommon

LINK = re.compile(r'href="([^"]*/my/collections/\d+\?access_token=[^"]+)"')


@tagged("post_install", "-at_install")
class TestStatementPageTour(ArCollectionsCommon, HttpCase):
    """The customer's side in a real browser (Chromium): from the link of a reminder, the
    customer promises, disputes, accepts a plan and pays; the records, the paused follow-ups
    and the chatter are checked afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.with_company(cls.company).ar_collector_id = cls.collector
        # four overdue invoices, oldest first, as the page lists them
        cls.to_promise = cls.make_invoice(1000, due=cls.DUE - timedelta(days=3))
        cls.to_dispute = cls.make_invoice(800, due=cls.DUE - timedelta(days=2))
        cls.on_plan = cls.make_invoice(1200, due=cls.DUE - timedelta(days=1))
        cls.to_pay = cls.make_invoice(250, due=cls.DUE)
        today = fields.Date.context_today(cls.customer)
        cls.plan = cls.env["ar.payment.plan"].create(
            {
                "partner_id": cls.customer.id,
                "move_ids": [Command.set(cls.on_plan.ids)],
                "installment_count": 3,
                "first_date": today + timedelta(days=7),
            }
        )
        cls.plan.action_generate_schedule()
        cls.plan.action_mark_proposed()
        # sudo: the test user administers its own company only; the demo provider is of the main one
        cls.provider = (
            cls.env.ref("payment.payment_provider_demo")
            .sudo()
            .copy(
                {
                    "company_id": cls.company.id,
                    "state": "test",
                    "is_published": True,
                    "payment_method_ids": [Command.set(cls.env.ref("payment_demo.payment_method_demo").ids)],
                }
            )
        )

    def test_customer_settles_everything_from_the_reminder_link(self):
        body = self.level_1.mail_template_id._render_field("body_html", self.customer.ids)[self.customer.id]
        link = LINK.search(str(body)).group(1).replace("&amp;", "&")
        url = urlsplit(link)
        self.start_tour(f"{url.path}?{url.query}", "ar_collections_statement_portal")

        promise = self.env["ar.payment.promise"].search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(promise, [{"channel": "portal", "amount": 300, "state": "open"}])
        self.assertEqual(promise.move_ids, self.to_promise)
        dispute = self.env["ar.dispute"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(dispute.move_ids, self.to_dispute)
        self.assertEqual(dispute.amount, 50)
        self.assertIn("not the one we agreed", dispute.description)
        self.assertEqual(self.plan.state, "active")
        self.assertEqual(self.plan.signed_by, self.customer.name)
        self.assertTrue(self.plan.signature)
        tx = self.env["payment.transaction"].sudo().search([("provider_id", "=", self.provider.id)])
        self.assertEqual(tx.invoice_ids, self.to_pay)
        self.assertEqual(tx.state, "done")
        self.assertTrue(self.to_pay.currency_id.is_zero(self.to_pay.amount_residual))
        # follow-ups paused for the promised, disputed and planned invoices
        self.env.flush_all()
        pauses = (self.to_promise | self.to_dispute | self.on_plan)._ar_get_followup_pauses()
        self.assertEqual(set(pauses), set((self.to_promise | self.to_dispute | self.on_plan).ids))
        for invoice in self.to_promise | self.to_dispute | self.on_plan:
            self.assertFalse(invoice.ar_due_level_id, invoice.name)
        # the chatter and the collector's activities
        notes = " ".join(self.customer.message_ids.mapped("body"))
        for name in (promise.name, dispute.name, self.plan.name):
            self.assertIn(name, notes)
        self.assertEqual((promise.activity_ids | dispute.activity_ids | self.plan.activity_ids).user_id, self.collector)
        history = self.env["ar.followup.history"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(set(history.mapped("channel")), {"portal"})
        self.assertEqual(len(history), 4, "the promise, the dispute, the plan and the payment")
        self.assertIn(tx.reference, " ".join(history.mapped("note")))
