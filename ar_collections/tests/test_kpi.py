# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.ar_kpi_snapshot import countback_days
from .common import ArCollectionsCommon

START, END = date(2026, 3, 1), date(2026, 3, 31)


@tagged("post_install", "-at_install")
class TestKpi(ArCollectionsCommon):
    """KPIs of March 2026 on a small book, checked against figures computed by hand.

    Acme (collector: the collections user), invoices without tax, invoiced
    30 days before their due date:

    ====  ======  ==========  ==========  =====================================
    inv   amount  invoiced    due         what happens
    ====  ======  ==========  ==========  =====================================
    A     1,000   2026-01-15  2026-02-14  400 paid on 03-10; promise broken
    B     2,000   2026-02-10  2026-03-12  open; promise kept
    C     3,000   2026-03-05  2026-04-04  open, not due on 03-31; dispute opened 03-20
    D       500   2025-11-15  2025-12-15  open, 106 days late; dispute 03-03, resolved 03-13
    E       800   2026-01-21  2026-02-20  reminded 03-02, paid in full 03-10
    ====  ======  ==========  ==========  =====================================

    Birch (no collector): F, 700, invoiced 2026-03-10, due 2026-04-09.
    Cedar (no collector): an unapplied credit note of 200 from 2025: a
    customer in credit owes nothing and does not lower the others' figures.

    On 03-31: receivables 6,100 (Acme) + 700 = 6,800, of which 3,700 not yet
    due and 3,100 overdue (500 over 90 days). On 02-28: 1,000 + 2,000 + 500 +
    800 = 4,300. Credit sales in March: 3,000 + 700 = 3,700.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.ar_collector_id = cls.collector
        cls.birch = cls.env["res.partner"].create({"name": "Birch Bakery", "is_company": True})
        cls.inv_a = cls.make_invoice(1000, due=date(2026, 2, 14))
        cls.inv_b = cls.make_invoice(2000, due=date(2026, 3, 12))
        cls.inv_c = cls.make_invoice(3000, due=date(2026, 4, 4))
        cls.inv_d = cls.make_invoice(500, due=date(2025, 12, 15))
        cls.inv_e = cls.make_invoice(800, due=date(2026, 2, 20))
        cls.inv_f = cls.make_invoice(700, due=date(2026, 4, 9), partner=cls.birch)
        cedar = cls.env["res.partner"].create({"name": "Cedar Interiors", "is_company": True})
        cls.make_invoice(200, due=date(2025, 6, 15), partner=cedar, move_type="out_refund")
        cls.pay(cls.inv_a, 400, date(2026, 3, 10))
        cls.pay(cls.inv_e, 800, date(2026, 3, 10))
        reason = cls.env.ref("ar_collections.ar_dispute_reason_quality")
        with freeze_time("2026-03-03"):
            cls.dispute_d = cls.make_dispute(cls.inv_d, 500, reason)
        with freeze_time("2026-03-13"):
            cls.dispute_d._close("resolved")
        with freeze_time("2026-03-20"):
            cls.make_dispute(cls.inv_c, 300, reason)
        with freeze_time("2026-03-05"):
            promises = cls.env["ar.payment.promise"].create(
                [
                    {
                        "partner_id": cls.customer.id,
                        "move_ids": [Command.set(inv.ids)],
                        "amount": 100,
                        "promised_date": date(2026, 3, 15),
                    }
                    for inv in (cls.inv_a, cls.inv_b)
                ]
            )
        promises[0].write({"state": "broken", "date_settled": date(2026, 3, 25)})
        promises[1].write({"state": "kept", "date_settled": date(2026, 3, 20)})

    @classmethod
    def make_dispute(cls, invoices, amount, reason):
        return cls.env["ar.dispute"].create(
            {
                "partner_id": cls.customer.id,
                "move_ids": [Command.set(invoices.ids)],
                "amount": amount,
                "reason_id": reason.id,
            }
        )

    def remind(self, invoice, day):
        with freeze_time(day):
            self.record_level(invoice, self.level_1)

    def snapshots(self, user=None):
        with freeze_time(END):
            snapshots = self.env["ar.kpi.snapshot"].with_user(user or self.collector)._refresh(self.company, START, END)
        return {s.collector_id if not s.is_company_total else "total": s for s in snapshots}

    def test_countback(self):
        months = [(31, 3000), (28, 2000), (31, 1800), (31, 0), (30, 500)]
        self.assertAlmostEqual(countback_days(6100, months), 31 + 28 + 31 * 1100 / 1800)
        self.assertEqual(countback_days(3000, months), 31)
        self.assertEqual(countback_days(0, months), 0)
        # older than every month given: all their days
        self.assertEqual(countback_days(99999, months), 151)

    def test_company_and_collector_kpis(self):
        self.remind(self.inv_a, "2026-03-02")
        self.remind(self.inv_e, "2026-03-02")
        self.remind(self.inv_b, "2026-03-25")  # 14 days not over on 03-31
        by_scope = self.snapshots()
        total = by_scope["total"]
        self.assertEqual(total.ar_begin, 4300)
        self.assertEqual(total.ar_end, 6800)
        self.assertEqual(total.ar_end_current, 3700)
        self.assertEqual(total.amount_overdue, 3100)
        self.assertEqual(total.amount_90_plus, 500)
        self.assertEqual(total.credit_sales, 3700)
        # countback of 6,800: March 3,700 (31 d), February 2,000 (28 d), then
        # 1,100 of January's 1,800 (31 d)
        self.assertAlmostEqual(total.dso, 31 + 28 + 31 * 1100 / 1800, delta=0.05)
        self.assertAlmostEqual(total.best_dso, 31, delta=0.05)
        self.assertAlmostEqual(total.avg_days_delinquent, 28 + 31 * 1100 / 1800, delta=0.05)
        # (4,300 + 3,700 - 6,800) / (4,300 + 3,700 - 3,700)
        self.assertAlmostEqual(total.cei, 1200 / 4300 * 100, delta=0.05)
        self.assertAlmostEqual(total.overdue_ratio, 3100 / 6800 * 100, delta=0.05)
        self.assertAlmostEqual(total.over_90_ratio, 500 / 6800 * 100, delta=0.05)
        self.assertEqual((total.collected, total.invoiced), (1200, 3700))
        self.assertEqual((total.promises_kept, total.promises_broken), (1, 1))
        self.assertAlmostEqual(total.promise_kept_ratio, 50)
        self.assertEqual((total.dispute_count, total.dispute_amount), (2, 800))
        self.assertEqual((total.disputes_closed, total.dispute_avg_days), (1, 10))
        # E paid within 14 days of its reminder, A not; B's 14 days are not over
        self.assertEqual((total.reminder_count, total.reminder_mature_count, total.reminder_paid_count), (3, 2, 1))
        self.assertAlmostEqual(total.reminder_paid_ratio, 50)
        self.assertIn("First reminder", total.reminder_table)

        acme = by_scope[self.collector]
        self.assertEqual((acme.ar_begin, acme.ar_end, acme.ar_end_current), (4300, 6100, 3000))
        self.assertAlmostEqual(acme.dso, 31 + 28 + 31 * 1100 / 1800, delta=0.05)
        self.assertAlmostEqual(acme.cei, 1200 / 4300 * 100, delta=0.05)
        birch = by_scope[self.env["res.users"]]
        self.assertEqual((birch.ar_end, birch.ar_end_current, birch.credit_sales), (700, 700, 700))
        self.assertEqual(birch.dso, 31)
        self.assertEqual(birch.cei, 0)  # nothing was collectable and due

    def test_cei_counts_what_was_collected_not_unrelated_credits(self):
        """Y owes 1,000 at start and pays 500, 500 overdue at end; X gets a 200 credit note in
        the period that nobody applies: the CEI is 500 / 1,000, the 90+ ratio as it is."""
        company = self.setup_other_company()["company"]
        self.env.user.company_ids |= company
        Partner = self.env["res.partner"]
        y = Partner.create({"name": "Yew Yards", "is_company": True})
        x = Partner.create({"name": "Xylo Ltd", "is_company": True})
        invoice = self.make_invoice(1000, due=date(2026, 2, 20), partner=y, company=company)
        # dated 03-11 (due date less 30 days), in the period
        self.make_invoice(200, due=date(2026, 4, 10), partner=x, company=company, move_type="out_refund")
        self.env["account.payment.register"].with_company(company).with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": 500, "payment_date": date(2026, 3, 10)})._create_payments()
        with freeze_time(END):
            total = self.env["ar.kpi.snapshot"]._refresh(company, START, END)[0]
        self.assertEqual((total.ar_begin, total.invoiced, total.credit_sales), (1000, 0, -200))
        self.assertEqual((total.collected, total.ar_end, total.ar_end_current), (500, 500, 0))
        self.assertAlmostEqual(total.cei, 50)
        self.assertAlmostEqual(total.over_90_ratio, 0)

    def test_ratios_of_groups_come_from_their_totals(self):
        """Pivot and graph: a group's CEI and 90+ ratio are those of its summed figures."""
        by_scope = self.snapshots()
        rows = [by_scope[self.collector], by_scope[self.env["res.users"]]]
        groups = self.env["ar.kpi.snapshot"].read_group(
            [("id", "in", [row.id for row in rows])], ["cei:avg", "over_90_ratio:avg", "overdue_ratio:avg"], []
        )
        collected = sum(row.collected for row in rows)
        base = sum(row.cei_base for row in rows)
        self.assertAlmostEqual(groups[0]["cei"], collected / base * 100)
        self.assertNotAlmostEqual(groups[0]["cei"], sum(row.cei for row in rows) / 2)
        ar_end = sum(row.ar_end for row in rows)
        self.assertAlmostEqual(groups[0]["over_90_ratio"], sum(row.amount_90_plus for row in rows) / ar_end * 100)
        self.assertAlmostEqual(groups[0]["overdue_ratio"], sum(row.amount_overdue for row in rows) / ar_end * 100)

    def test_ratios_of_groups_over_companies_of_two_currencies(self):
        """A company collecting all of 100 USD, another nothing of 1,000 in a currency worth a
        tenth of it: together they collected half of what they could (not 100 of 1,100)."""
        ten = self.setup_other_currency("EUR", rates=[("2000-01-01", 10.0)])
        other = self.setup_other_company(name="Ten to one", currency_id=ten.id)["company"]
        Snapshot = self.env["ar.kpi.snapshot"]
        period = {"date_from": "2026-01-01", "date_to": "2026-01-31", "is_company_total": True}
        # sudo: snapshots are made by the job only
        rows = Snapshot.sudo().create(
            [
                {**period, "company_id": self.company.id, "collected": 100, "cei_base": 100, "ar_end": 200},
                {**period, "company_id": other.id, "collected": 0, "cei_base": 1000, "ar_end": 1000},
            ]
        )
        self.assertNotEqual(self.company.currency_id, ten)
        Snapshot = Snapshot.with_context(allowed_company_ids=[self.company.id, other.id])
        [group] = Snapshot.read_group([("id", "in", rows.ids)], ["cei:avg"], [])
        self.assertAlmostEqual(group["cei"], 50)
        by_company = Snapshot.read_group([("id", "in", rows.ids)], ["cei:avg"], ["company_id"])
        self.assertEqual(sorted(g["cei"] for g in by_company), [0, 100])

    def test_refresh_updates_in_place(self):
        first = self.snapshots()
        self.pay(self.inv_b, 2000, date(2026, 3, 30))
        second = self.snapshots()
        self.assertEqual(first["total"], second["total"])
        self.assertEqual(second["total"].ar_end, 4800)
        with self.assertRaises(UserError):
            self.env["ar.kpi.snapshot"]._refresh(self.company, END, START)

    def test_nightly_month_to_date_replaces_yesterdays(self):
        for day in ("2026-04-01", "2026-04-02", "2026-04-03"):
            with freeze_time(day):
                self.env.ref("ar_collections.ir_cron_kpi_snapshot").method_direct_trigger()
        snapshots = self.env["ar.kpi.snapshot"].search([("company_id", "=", self.company.id)])
        periods = {(s.date_from, s.date_to, s.rolling) for s in snapshots}
        self.assertEqual(periods, {(START, END, False), (date(2026, 4, 1), date(2026, 4, 3), True)})
        # one row per scope and period: the company, Acme's collector, no collector
        self.assertEqual(len(snapshots), 6)

    def test_cron_and_reminder_report(self):
        self.remind(self.inv_e, "2026-03-02")
        with freeze_time("2026-04-02"):
            self.env.ref("ar_collections.ir_cron_kpi_snapshot").method_direct_trigger()
            rows = self.env["ar.reminder.report"].with_user(self.collector).search([])
        snapshots = self.env["ar.kpi.snapshot"].search([("company_id", "=", self.company.id)])
        periods = set(snapshots.mapped(lambda s: (s.date_from, s.date_to)))
        self.assertEqual(periods, {(START, END), (date(2026, 4, 1), date(2026, 4, 2))})
        self.assertEqual(rows.move_id, self.inv_e)
        self.assertEqual((rows.level_id, rows.paid_on, rows.paid_within), (self.level_1, date(2026, 3, 10), 100))
