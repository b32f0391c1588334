# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
import io
from datetime import date, timedelta

import openpyxl
from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import ArCollectionsCommon

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestAging(ArCollectionsCommon):
    """The aging report, as of today and as of a past day, and its XLSX export."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.ar_collector_id = cls.collector
        cls.other = cls.env["res.partner"].create({"name": "Birch Bakery", "is_company": True})

        def due(days_overdue):
            return TODAY - timedelta(days=days_overdue)

        # one invoice per bucket for Acme, days overdue on 2026-06-30
        cls.inv_not_due = cls.make_invoice(100, due=due(-10))
        cls.inv_15 = cls.make_invoice(200, due=due(15))
        cls.inv_45 = cls.make_invoice(300, due=due(45))
        cls.inv_75 = cls.make_invoice(400, due=due(75))
        cls.inv_100 = cls.make_invoice(500, due=due(100))
        cls.inv_200 = cls.make_invoice(600, due=due(200))
        # a partial payment on the 45-day invoice on 2026-06-20, an unapplied credit note
        cls.pay(cls.inv_45, 120, date(2026, 6, 20))
        cls.credit_note = cls.make_invoice(50, due=due(5), move_type="out_refund")
        cls.inv_other = cls.make_invoice(1000, due=due(31), partner=cls.other)

    def aging(self, as_of=TODAY, user=None):
        report = self.env["ar.aging.report"].with_user(user or self.collector).with_context(ar_as_of=as_of)
        return report.search([("company_id", "=", self.company.id)])

    def test_buckets_and_amounts(self):
        with freeze_time(TODAY):
            rows = self.aging()
        by_move = {row.move_id: row for row in rows}
        expected = {
            self.inv_not_due: ("not_due", 0, 100),
            self.inv_15: ("1_30", 15, 200),
            self.inv_45: ("31_60", 45, 180),
            self.inv_75: ("61_90", 75, 400),
            self.inv_100: ("91_120", 100, 500),
            self.inv_200: ("120_plus", 200, 600),
            self.credit_note: ("1_30", 5, -50),
            self.inv_other: ("31_60", 31, 1000),
        }
        for move, (bucket, days, amount) in expected.items():
            row = by_move[move]
            self.assertEqual(
                (row.aging_bucket, row.days_overdue, row.amount_residual), (bucket, days, amount), move.name
            )
            self.assertEqual(row[f"amount_{bucket}"], amount)
            self.assertEqual(row.amount_overdue, amount if days > 0 else 0)
        self.assertEqual(by_move[self.inv_15].collector_id, self.collector)
        self.assertFalse(by_move[self.inv_other].collector_id)
        # payments fully applied leave no row; the customer's total is its ledger balance
        self.assertEqual(len(rows), len(expected))
        acme_total = sum(rows.filtered(lambda r: r.partner_id == self.customer).mapped("amount_residual"))
        with freeze_time(TODAY):
            self.assertEqual(acme_total, self.customer.with_user(self.collector).ar_total_due)
        self.assertEqual(acme_total, 100 + 200 + 180 + 400 + 500 + 600 - 50)

    def test_as_of_a_past_day(self):
        """On 2026-06-10 the payment of 2026-06-20 had not come, the 45-day
        invoice was 25 days late, and an invoice posted later did not exist."""
        with freeze_time(TODAY):
            later = self.make_invoice(999, due=TODAY + timedelta(days=30))  # dated 2026-06-30
            rows = self.aging(as_of=date(2026, 6, 10))
        by_move = {row.move_id: row for row in rows}
        self.assertEqual(by_move[self.inv_45].amount_residual, 300)
        self.assertEqual(by_move[self.inv_45].days_overdue, 25)
        self.assertEqual(by_move[self.inv_45].aging_bucket, "1_30")
        self.assertNotIn(later, rows.move_id)

    def test_pivot_groups_equal_the_rows(self):
        with freeze_time(TODAY):
            groups = (
                self.env["ar.aging.report"]
                .with_user(self.collector)
                ._read_group([("company_id", "=", self.company.id)], ["aging_bucket"], ["amount_residual:sum"])
            )
        self.assertEqual(
            dict(groups),
            {"not_due": 100, "1_30": 150, "31_60": 1180, "61_90": 400, "91_120": 500, "120_plus": 600},
        )

    def test_xlsx_export(self):
        with freeze_time(TODAY):
            wizard = Form(self.env["ar.collections.export"].with_user(self.collector))
            wizard.report = "aging"
            wizard.include_detail = True
            wizard = wizard.save()
            action = wizard.action_export()
        self.assertIn(f"/web/content/ar.collections.export/{wizard.id}/file/", action["url"])
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file)))
        summary, detail = book.worksheets
        self.assertIn("as of 06/30/2026", summary["A1"].value)
        header = [cell.value for cell in summary[3]]
        self.assertEqual(
            header,
            [
                "Customer",
                "Reference",
                "Collector",
                "Not due",
                "1-30 days",
                "31-60 days",
                "61-90 days",
                "91-120 days",
                "120+ days",
                "Total",
            ],
        )
        rows = {row[0]: row for row in summary.iter_rows(min_row=4, max_row=5, values_only=True)}
        self.assertEqual(rows["Acme Retail"][2:], (self.collector.name, 100, 150, 180, 400, 500, 600, 1930))
        self.assertEqual(rows["Birch Bakery"][3:], (0, 0, 1000, 0, 0, 0, 1000))
        self.assertEqual(summary["A6"].value, "Total")
        self.assertEqual(summary["J6"].value, "=SUM(J4:J5)")
        self.assertEqual(summary.freeze_panes, "A4")
        self.assertEqual(summary.auto_filter.ref, "A3:J5")
        self.assertTrue(summary["A3"].font.bold)
        self.assertEqual(summary["D4"].number_format, "#,##0.00")
        # the same figures as the report
        with freeze_time(TODAY):
            report_total = sum(self.aging().mapped("amount_residual"))
        self.assertEqual(sum(row[9] for row in rows.values()), report_total)
        detail_rows = list(detail.iter_rows(min_row=2, max_row=9, values_only=True))
        self.assertEqual(len(detail_rows), 8)
        self.assertEqual(sum(row[8] for row in detail_rows), report_total)
        self.assertEqual(detail["A10"].value, "Total")

    def test_access_and_companies(self):
        with self.assertRaises(AccessError):
            self.env["ar.aging.report"].with_user(self.billing_clerk).search([])
        company_2 = self.setup_other_company()["company"]
        other_invoice = self.make_invoice(700, due=TODAY - timedelta(days=3), company=company_2)
        with freeze_time(TODAY):
            rows = self.env["ar.aging.report"].with_user(self.collector).search([])
        self.assertNotIn(other_invoice, rows.move_id)
