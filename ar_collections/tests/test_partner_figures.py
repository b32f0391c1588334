# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ArCollectionsCommon

TODAY = date(2026, 3, 22)


@tagged("post_install", "-at_install")
class TestPartnerFigures(ArCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR")
        cls.contact = cls.env["res.partner"].create(
            {
                "name": "Acme Accounts Payable",
                "parent_id": cls.customer.id,
                "type": "invoice",
                "email": "pay@acme.example.com",
            }
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Other Customer", "is_company": True})
        # A mixed book, as of 2026-03-22:
        cls.inv_partial = cls.make_invoice(1000, due=date(2026, 1, 1))  # 400 paid: 600 overdue, 80 days
        cls.pay(cls.inv_partial, 400, date(2026, 1, 10))
        cls.inv_overdue = cls.make_invoice(500, due=date(2026, 3, 15))  # 500 overdue
        cls.inv_not_due = cls.make_invoice(300, due=date(2026, 4, 30))  # 300 not due
        cls.credit_note = cls.make_invoice(200, due=date(2026, 3, 1), move_type="out_refund")  # -200 unapplied
        cls.inv_eur = cls.make_invoice(1000, due=date(2026, 2, 1), currency=cls.eur)  # 500 in company currency
        cls.inv_paid = cls.make_invoice(700, due=date(2026, 1, 15))
        cls.pay(cls.inv_paid, 700, date(2026, 1, 20))
        cls.inv_draft = cls.make_invoice(999, due=date(2026, 1, 1), post=False)
        cls.inv_contact = cls.make_invoice(250, due=date(2026, 2, 20), partner=cls.contact)  # child contact
        cls.inv_other = cls.make_invoice(4000, due=date(2026, 1, 1), partner=cls.other_customer)

    def _recompute_by_hand(self, partner):
        """Total and overdue from the journal items, the slow obvious way."""
        lines = self.env["account.move.line"].search(
            [
                ("partner_id", "child_of", partner.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("company_id", "=", self.company.id),
            ]
        )
        total = sum(lines.mapped("amount_residual"))
        overdue = sum(
            line.amount_residual
            for line in lines
            if line.amount_residual < 0 or (line.date_maturity and line.date_maturity < TODAY)
        )
        return total, max(overdue, 0.0)

    @freeze_time(TODAY)
    def test_figures_match_hand_recomputation(self):
        customer = self.customer.with_company(self.company)
        self.assertAlmostEqual(customer.ar_total_due, 600 + 500 + 300 - 200 + 500 + 250)
        self.assertAlmostEqual(customer.ar_overdue_amount, 600 + 500 - 200 + 500 + 250)
        self.assertEqual(customer.ar_oldest_overdue_days, 80)
        total, overdue = self._recompute_by_hand(self.customer)
        self.assertAlmostEqual(customer.ar_total_due, total)
        self.assertAlmostEqual(customer.ar_overdue_amount, overdue)
        # a child contact shows its commercial entity's figures
        self.assertAlmostEqual(self.contact.ar_overdue_amount, customer.ar_overdue_amount)
        other = self.other_customer
        self.assertAlmostEqual(other.ar_overdue_amount, 4000)
        self.assertEqual(other.ar_oldest_overdue_days, 80)

    def test_reminder_recipient(self):
        self.assertEqual(self.customer.ar_followup_contact_id, self.contact, "the invoice contact with an email")
        self.assertEqual(self.contact.ar_followup_contact_id, self.contact)
        self.assertEqual(self.other_customer.ar_followup_contact_id, self.other_customer, "else the customer")
        self.contact.email = False
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.ar_followup_contact_id, self.customer)

    @freeze_time(TODAY)
    def test_figures_are_per_company(self):
        other_company = self.setup_other_company()["company"]
        customer = self.customer.with_company(other_company)
        self.assertEqual(customer.ar_total_due, 0.0)
        self.assertEqual(customer.ar_overdue_amount, 0.0)
        self.assertEqual(customer.ar_currency_id, other_company.currency_id)

    @freeze_time(TODAY)
    def test_overdue_never_negative(self):
        partner = self.env["res.partner"].create({"name": "Prepaid Customer", "is_company": True})
        self.make_invoice(100, due=date(2026, 3, 1), partner=partner, move_type="out_refund")
        self.assertAlmostEqual(partner.ar_total_due, -100)
        self.assertEqual(partner.ar_overdue_amount, 0.0)

    @freeze_time(TODAY)
    def test_open_invoices_levels_and_next_date(self):
        customer = self.customer
        self.assertEqual(
            customer.ar_open_invoice_ids,
            self.inv_partial | self.inv_overdue | self.inv_not_due | self.credit_note | self.inv_eur | self.inv_contact,
        )
        self.refresh_due_levels()
        # due today: final notice for the 80-day invoice (the most advanced one)
        self.assertEqual(customer.ar_due_level_id, self.level_escalation)
        self.assertEqual(customer.ar_next_followup_date, TODAY)
        self.record_level(self.inv_partial, self.level_final)
        self.record_level(self.inv_overdue, self.level_friendly)
        customer.invalidate_recordset()
        self.assertEqual(customer.ar_followup_level_id, self.level_final)

    @freeze_time(TODAY)
    def test_search_on_computed_figures(self):
        Partner = self.env["res.partner"]
        quiet = Partner.create({"name": "Nothing owed", "is_company": True})
        over_2000 = Partner.search([("ar_overdue_amount", ">", 2000)])
        self.assertIn(self.other_customer, over_2000)
        self.assertNotIn(self.customer, over_2000)
        over_1000 = Partner.search([("ar_overdue_amount", ">", 1000)])
        self.assertIn(self.customer, over_1000)
        self.assertIn(self.contact, over_1000)
        zero = Partner.search([("ar_overdue_amount", "=", 0)])
        self.assertIn(quiet, zero)
        self.assertNotIn(self.customer, zero)
        self.refresh_due_levels()
        due_now = Partner.search([("ar_next_followup_date", "<=", TODAY)])
        self.assertIn(self.customer, due_now)
        self.assertNotIn(quiet, due_now)

    @freeze_time(TODAY)
    def test_figures_query_count_does_not_grow_with_customers(self):
        """No per-customer query: 20 customers cost what one does."""
        partners = self.env["res.partner"].create([{"name": f"Customer {i}", "is_company": True} for i in range(20)])
        for partner in partners:
            self.make_invoice(100, due=date(2026, 3, 1), partner=partner)
            self.make_invoice(50, due=date(2026, 3, 10), partner=partner)

        def queries(records):
            self.env.invalidate_all()
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            records.mapped("ar_overdue_amount")
            records.mapped("ar_total_due")
            records.mapped("ar_oldest_overdue_days")
            records.mapped("ar_due_level_id")
            return self.env.cr.sql_log_count - before

        queries(partners)  # warm the registry-level caches (levels, translations, ...)
        self.assertEqual(queries(partners[:1]), queries(partners))
        self.assertEqual(set(partners.mapped("ar_overdue_amount")), {150.0})
