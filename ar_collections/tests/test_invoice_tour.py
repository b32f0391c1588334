# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo.tests import HttpCase, tagged

from .common import ArCollectionsCommon


@tagged("post_install", "-at_install")
class TestInvoiceActionsTour(ArCollectionsCommon, HttpCase):
    """The collector's actions from the invoice screen and the collections kanban, in a real
    browser (Chromium), checked in the records afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.with_company(cls.company).ar_collector_id = cls.collector
        cls.invoices = [
            cls.make_invoice(amount, due=cls.DUE - timedelta(days=i)) for i, amount in enumerate((1000, 800, 1200, 250))
        ]
        cls.collector.partner_id.email = "collector@example.com"
        cls.customer.with_company(cls.company).ar_collection_stage_id = cls.env.ref(
            "ar_collections.ar_collection_stage_current"
        )

    def test_collector_works_a_customer_from_its_invoices(self):
        self.assertEqual([inv.name for inv in self.invoices], [f"INV/2026/0000{i}" for i in range(1, 5)])
        first, second, third, fourth = self.invoices
        self.start_tour("/odoo", "ar_collections_invoice_actions", login=self.collector.login)
        # 1. the reminder: posted on the customer, one email queued, recorded in the history
        history = self.env["ar.followup.history"].search([("partner_id", "=", self.customer.id)])
        self.assertIn("email", history.mapped("channel"))
        self.assertTrue(
            self.env["mail.mail"].search([("recipient_ids", "in", self.customer.ids), ("model", "=", "res.partner")])
        )
        # 2. the call and its promise
        self.assertIn("call", history.mapped("channel"))
        promise = self.env["ar.payment.promise"].search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(promise, [{"amount": 400, "state": "open", "channel": "call"}])
        self.assertIn(first, promise.move_ids)
        # 3. the dispute of the second invoice
        dispute = self.env["ar.dispute"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(dispute.move_ids, second)
        self.assertEqual(dispute.reason_id, self.env.ref("ar_collections.ar_dispute_reason_pricing"))
        # 4. the plan offered for the third, in three installments
        plan = self.env["ar.payment.plan"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(plan.move_ids, third)
        self.assertEqual(len(plan.installment_ids), 3)
        # 5. the fourth excluded, with its reason
        self.assertTrue(fourth.ar_excluded)
        self.assertEqual(fourth.ar_exclusion_reason, "Paid by bank guarantee")
        # 6. dragged to Escalated in the kanban
        self.assertEqual(self.customer.with_company(self.company).ar_collection_stage_id, self.stage_escalated)
        self.env.flush_all()
        for invoice in (first, second, fourth):
            self.assertFalse(invoice.ar_due_level_id, invoice.name)
