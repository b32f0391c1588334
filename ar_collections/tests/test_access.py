# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ArCollectionsCommon


@tagged("post_install", "-at_install")
class TestAccess(ArCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.setup_other_company()["company"]
        cls.invoice = cls.make_invoice(1000)
        cls.history = cls.env["ar.followup.history"]._record(cls.customer, "email", "sent", {cls.invoice: cls.level_1})
        cls.customer_2 = cls.env["res.partner"].create(
            {"name": "Company 2 customer", "is_company": True, "company_id": cls.company_2.id}
        )
        invoice_2 = cls.make_invoice(500, partner=cls.customer_2, company=cls.company_2)
        cls.levels_2 = cls.env["ar.followup.level"].search([("company_id", "=", cls.company_2.id)])
        cls.history_2 = cls.env["ar.followup.history"]._record(
            cls.customer_2, "email", "sent", {invoice_2: cls.levels_2[1]}
        )

    def test_billing_clerk_without_collections_groups(self):
        clerk = self.billing_clerk
        for model in ("ar.followup.level", "ar.followup.history", "ar.followup.history.line"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(clerk).search([])
        with self.assertRaises(AccessError):
            self.invoice.with_user(clerk).write({"ar_excluded": True})
        with self.assertRaises(AccessError):
            self.invoice.with_user(clerk).read(["ar_followup_level_id"])
        # the invoice form still works for them, without any collections element
        arch = self.env["account.move"].with_user(clerk).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("ar_followup_level_id", arch)
        self.assertNotIn("action_ar_send_reminder", arch)
        self.assertIn("action_post", arch)
        self.assertEqual(self.invoice.with_user(clerk).amount_residual, 1000)

    def test_collector(self):
        collector = self.collector
        Level = self.env["ar.followup.level"].with_user(collector)
        self.assertEqual(Level.search([]), self.levels, "sees its company's levels only")
        with self.assertRaises(AccessError):
            self.level_1.with_user(collector).write({"delay": 8})
        with self.assertRaises(AccessError):
            Level.create({"name": "Mine", "delay": 99})
        with self.assertRaises(AccessError):
            self.env.ref("ar_collections.ar_collection_stage_current").with_user(collector).name = "Nope"
        with self.assertRaises(UserError):  # AccessError (no ACL), or the audit-trail guard
            self.history.with_user(collector).unlink()
        # history cannot be forged: only _record writes it, as the user, now
        with self.assertRaises(AccessError):
            self.env["ar.followup.history"].with_user(collector).create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                    "channel": "email",
                    "outcome": "sent",
                    "user_id": self.manager.id,
                    "date": "2020-01-01",
                }
            )
        with self.assertRaises(AccessError):
            self.env["ar.followup.history"].with_user(self.billing_clerk)._record(
                self.customer, "call", "reached", {self.invoice: self.env["ar.followup.level"]}
            )
        # collectors do follow up: record history, set stages and collectors on customers
        history = (
            self.env["ar.followup.history"]
            .with_user(collector)
            ._record(self.customer, "call", "reached", {self.invoice: self.env["ar.followup.level"]})
        )
        self.assertEqual(history.user_id, collector)
        self.customer.with_user(collector).write(
            {"ar_collection_stage_id": self.stage_escalated.id, "ar_collector_id": collector.id}
        )
        self.assertEqual(self.customer.ar_collector_id, collector)
        arch = self.env["account.move"].with_user(collector).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("action_ar_send_reminder", arch)

    def test_manager_configures(self):
        manager = self.manager
        level = self.env["ar.followup.level"].with_user(manager).create({"name": "Day 90", "delay": 90})
        self.assertEqual(level.company_id, self.company)
        level.write({"min_gap_days": 3})
        stage = self.env["ar.collection.stage"].with_user(manager).create({"name": "Insolvency"})
        stage.unlink()
        level.unlink()

    def test_other_company_is_invisible_and_untouchable(self):
        for user in (self.collector, self.manager):
            with self.subTest(user=user.login):
                self.assertFalse(
                    self.env["ar.followup.level"].with_user(user).search([("company_id", "=", self.company_2.id)])
                )
                self.assertFalse(
                    self.env["ar.followup.history"].with_user(user).search([("id", "=", self.history_2.id)])
                )
                self.assertFalse(self.env["res.partner"].with_user(user).search([("id", "=", self.customer_2.id)]))
                with self.assertRaises(AccessError):
                    self.levels_2[0].with_user(user).read(["name"])
                with self.assertRaises(AccessError):
                    self.levels_2[0].with_user(user).write({"min_gap_days": 1})
                with self.assertRaises(AccessError):
                    self.history_2.with_user(user).read(["outcome"])
                with self.assertRaises(AccessError):
                    self.customer_2.with_user(user).read(["ar_overdue_amount"])
                with self.assertRaises(AccessError):
                    # the KPIs of a company the user does not work in: not computed for it
                    wizard = self.env["ar.kpi.refresh"].with_user(user).create({"company_id": self.company_2.id})
                    wizard.action_compute()

    def test_user_of_both_companies_sees_each_company_figures(self):
        both = self.make_user("ar_both", "ar_collections.group_ar_collections_user", self.company | self.company_2)
        env = self.env(user=both, context=dict(self.env.context, allowed_company_ids=[self.company_2.id]))
        self.assertEqual(env["ar.followup.level"].search([]), self.levels_2)
        with freeze_time(self.DUE - timedelta(days=10)):
            customer_2 = env["res.partner"].browse(self.customer_2.id)
            self.assertAlmostEqual(customer_2.ar_total_due, 500.0)
            self.assertAlmostEqual(customer_2.ar_overdue_amount, 0.0)
            self.assertEqual(customer_2.ar_currency_id, self.company_2.currency_id)
            customer_1 = env["res.partner"].browse(self.customer.id)
            self.assertAlmostEqual(customer_1.ar_total_due, 0.0, msg="company 1's invoice is not company 2's")

    def test_collector_writes_collection_fields_of_customers_only(self):
        """Core lets Contact Creation write contacts; a collector changes the collection fields
        (stage, collector, exclusion) of a customer, not its name or tax id."""
        customer = self.customer.with_user(self.collector)
        reminded = self.env.ref("ar_collections.ar_collection_stage_reminded")
        customer.write({"ar_collection_stage_id": reminded.id, "ar_collector_id": self.collector.id})
        self.assertEqual(self.customer.ar_collection_stage_id, reminded)
        for vals in ({"name": "Renamed"}, {"vat": "BE0477472701"}, {"name": "X", "ar_collector_id": False}):
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, "collection fields of"):
                customer.write(vals)
        self.assertEqual(self.customer.name, "Acme Retail")
        customer.message_post(body="Called, no answer")  # the chatter still works
        partner_manager = self.make_user(
            "ar_contacts", "ar_collections.group_ar_collections_user,base.group_partner_manager"
        )
        self.customer.with_user(partner_manager).write({"name": "Acme Retail SA"})
        self.assertEqual(self.customer.name, "Acme Retail SA")
