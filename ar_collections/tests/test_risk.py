# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ArCollectionsCommon

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestRisk(ArCollectionsCommon):
    """Payment behaviour, the risk score and the credit hold.

    Acme's invoices paid in the last 12 months (after 2025-06-30):
    1,000 due 01-10 paid 01-30 (20 days late), 3,000 due 03-01 paid 02-25
    (early: 0), 1,000 due 05-01 paid 06-10 (40 days late): amount-weighted
    (20,000 + 0 + 40,000) / 5,000 = 12.0 days late, 2 of 3 paid late. The
    12 months before: 2,000 due 2025-03-01 paid 2025-03-03, 2.0 days late:
    the trend is +10.0. Open: 2,000 due 05-31 (overdue), 2,000 due 07-30;
    credit limit 8,000; one promise broken in June; one open dispute.

    Score: late 30 x 12/60 = 6.0, trend 10 x 10/30 = 3.33, promises
    15 x 1/3 = 5.0, disputes 10 x 1/2 = 5.0, overdue 20 x 2,000/4,000 = 10.0,
    credit 15 x 4,000/8,000 = 7.5: 36.83, so 37 (medium).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for amount, due, paid in (
            (1000, date(2026, 1, 10), date(2026, 1, 30)),
            (3000, date(2026, 3, 1), date(2026, 2, 25)),
            (1000, date(2026, 5, 1), date(2026, 6, 10)),
            (2000, date(2025, 3, 1), date(2025, 3, 3)),
        ):
            cls.pay(cls.make_invoice(amount, due=due), amount, paid)
        cls.inv_overdue = cls.make_invoice(2000, due=date(2026, 5, 31))
        cls.inv_open = cls.make_invoice(2000, due=date(2026, 7, 30))
        cls.company.account_use_credit_limit = True
        cls.customer.credit_limit = 8000
        with freeze_time("2026-06-01"):
            promise = cls.env["ar.payment.promise"].create(
                {
                    "partner_id": cls.customer.id,
                    "move_ids": [Command.set(cls.inv_overdue.ids)],
                    "amount": 500,
                    "promised_date": date(2026, 6, 5),
                }
            )
        promise.write({"state": "broken", "date_settled": date(2026, 6, 8)})
        cls.env["ar.dispute"].create(
            {
                "partner_id": cls.customer.id,
                "move_ids": [Command.set(cls.inv_open.ids)],
                "amount": 300,
                "reason_id": cls.env.ref("ar_collections.ar_dispute_reason_quality").id,
            }
        )
        cls.clean = cls.env["res.partner"].create({"name": "Birch Bakery", "is_company": True})
        cls.pay(cls.make_invoice(500, due=date(2026, 4, 1), partner=cls.clean), 500, date(2026, 3, 30))

    def compute(self):
        with freeze_time(TODAY):
            self.env.ref("ar_collections.ir_cron_partner_score").method_direct_trigger()
        scores = self.env["ar.partner.score"].search([("company_id", "=", self.company.id)])
        return {score.partner_id.id: score for score in scores}

    def test_behaviour_and_score(self):
        scores = self.compute()
        score = scores[self.customer.id]
        self.assertEqual((score.paid_count, score.late_count), (3, 2))
        self.assertAlmostEqual(score.late_share, 2 / 3)
        self.assertAlmostEqual(score.avg_days_late, 12.0)
        self.assertAlmostEqual(score.avg_days_late_previous, 2.0)
        self.assertAlmostEqual(score.late_trend, 10.0)
        self.assertEqual((score.broken_promise_count, score.open_dispute_count), (1, 1))
        self.assertEqual((score.total_due, score.overdue_amount), (4000, 2000))
        self.assertAlmostEqual(score.overdue_ratio, 0.5)
        self.assertAlmostEqual(score.credit_use, 0.5)
        parts = [score[f] for f in ("points_late", "points_trend", "points_promises", "points_disputes")]
        parts += [score.points_overdue, score.points_credit]
        for got, expected in zip(parts, [6.0, 10 / 3, 5.0, 5.0, 10.0, 7.5], strict=True):
            self.assertAlmostEqual(got, expected, delta=0.05)  # shown with one decimal
        self.assertEqual((score.score, score.risk_level), (37, "medium"))
        self.assertIn("= 37", score._get_explanation())
        # paid on time, nothing open: no risk
        clean = scores[self.clean.id]
        self.assertEqual((clean.paid_count, clean.late_count, clean.avg_days_late, clean.score), (1, 0, 0, 0))
        # shown on the customer
        with freeze_time(TODAY):
            partner = self.customer.with_user(self.collector)
            self.assertEqual(partner.ar_risk_score, 37)
            self.assertAlmostEqual(partner.ar_avg_days_late, 12.0)
            self.assertAlmostEqual(partner.ar_late_trend, 10.0)
            self.assertEqual(partner.ar_risk_level, "medium")
            self.nobody = self.env["res.partner"].create({"name": "Nobody Ltd", "is_company": True})
            Partner = self.env["res.partner"].with_user(self.collector)
            risky = Partner.search([("ar_risk_score", ">=", 30)])
            safe = Partner.search([("ar_risk_score", "<", 30)])
        self.assertIn(self.customer, risky)
        self.assertNotIn(self.clean, risky)
        # customers without a score row count as 0
        self.assertIn(self.clean, safe)
        self.assertIn(self.nobody, safe)
        self.assertNotIn(self.customer, safe)

    def test_access(self):
        score = self.compute()[self.customer.id]
        with self.assertRaises(AccessError):
            score.with_user(self.manager).write({"score": 0})  # derived from the ledger: nobody edits it
        with self.assertRaises(AccessError):
            score.with_user(self.billing_clerk).read(["score"])
        company_2 = self.setup_other_company()["company"]
        other = self.env["ar.partner.score"].sudo().create({"partner_id": self.customer.id, "company_id": company_2.id})
        visible = self.env["ar.partner.score"].with_user(self.collector).search([])
        self.assertIn(score, visible)
        self.assertNotIn(other, visible)

    def test_recompute_updates_and_drops(self):
        first = self.compute()[self.customer.id]
        self.pay(self.inv_overdue, 2000, TODAY)
        second = self.compute()[self.customer.id]
        self.assertEqual(first, second)  # updated in place
        self.assertEqual(second.overdue_amount, 0)
        self.assertEqual(second.points_overdue, 0)
        # a customer with nothing left to score loses its row
        gone = self.env["res.partner"].create({"name": "Gone Ltd"})
        self.env["ar.partner.score"].sudo().create({"partner_id": gone.id, "company_id": self.company.id, "score": 50})
        self.assertNotIn(gone.id, self.compute())
        self.assertFalse(self.env["ar.partner.score"].search([("partner_id", "=", gone.id)]))
        # without credit limits in the company, the limit does not count
        self.company.account_use_credit_limit = False
        self.assertEqual(self.compute()[self.customer.id].points_credit, 0)

    def test_installments_are_late_on_their_own_dates(self):
        """30 % due on the invoice date, 70 % at the end of the next month, all
        paid 30 days after the invoice: the first part 30 days late, the rest
        early, so 300 x 30 / 1,000 = 9.0 days late on average."""
        cedar = self.env["res.partner"].create({"name": "Cedar Interiors", "is_company": True})
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cedar.id,
                "invoice_date": date(2026, 3, 10),
                "invoice_payment_term_id": self.pay_terms_b.id,
                "invoice_line_ids": [Command.create({"name": "Cabinets", "price_unit": 1000, "tax_ids": []})],
            }
        )
        invoice.action_post()
        self.pay(invoice, 1000, date(2026, 4, 9))
        score = self.compute()[cedar.id]
        self.assertEqual((score.paid_count, score.late_count), (1, 1))
        self.assertAlmostEqual(score.avg_days_late, 9.0)

    def test_one_statement_whatever_the_customers(self):
        """The nightly job's queries do not grow with the number of customers."""
        with freeze_time(TODAY):
            Score = self.env["ar.partner.score"]
            Score._compute_scores(self.company)
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            Score._compute_scores(self.company)
            few = self.env.cr.sql_log_count - before
            for i in range(5):
                partner = self.env["res.partner"].create({"name": f"Customer {i}"})
                self.make_invoice(100 + i, due=date(2026, 5, 1), partner=partner)
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            scored = Score._compute_scores(self.company)
            many = self.env.cr.sql_log_count - before
        self.assertEqual(scored, 7)
        self.assertEqual(few, many)

    def test_credit_hold_warns(self):
        self.compute()
        self.company.write({"ar_credit_hold_score": 30, "ar_credit_hold_mode": "warn"})
        with freeze_time(TODAY):
            invoice = self.make_invoice(100, due=date(2026, 7, 30), post=False)
            self.assertIn("Acme Retail is on credit hold: risk score 37 (limit 30)", invoice.ar_credit_hold_warning)
            invoice.with_user(self.billing_clerk).action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertTrue(invoice.message_ids.filtered(lambda m: "Posted while on credit hold" in (m.body or "")))
        # a customer under the thresholds: no warning
        other = self.make_invoice(100, partner=self.clean, post=False)
        self.assertFalse(other.ar_credit_hold_warning)

    def test_credit_hold_blocks_but_managers_post(self):
        self.compute()
        self.company.write({"ar_credit_hold_score": 0, "ar_credit_hold_overdue": 1500, "ar_credit_hold_mode": "block"})
        manager = self.make_user(
            "ar_manager_billing", "ar_collections.group_ar_collections_manager,account.group_account_invoice"
        )
        with freeze_time(TODAY):
            invoice = self.make_invoice(100, due=date(2026, 7, 30), post=False)
            with self.assertRaises(UserError) as caught:
                invoice.with_user(self.billing_clerk).action_post()
            self.assertIn("overdue", str(caught.exception))
            self.assertIn("2,000.00", str(caught.exception))
            self.assertIn("1,500.00", str(caught.exception))
            self.assertIn("ask a collections manager", str(caught.exception))
            self.assertEqual(invoice.state, "draft")
            invoice.with_user(manager).action_post()
        self.assertEqual(invoice.state, "posted")
        with self.assertRaises(UserError):
            self.company.ar_credit_hold_score = 101
