# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
import io
from datetime import date, timedelta
from unittest.mock import patch

import openpyxl
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from ..models import ar_worklist_item
from .common import ArCollectionsCommon

TODAY = date(2026, 4, 15)  # a Wednesday: week 1 is 04-13 to 04-19


@tagged("post_install", "-at_install")
class TestWorklistForecast(ArCollectionsCommon):
    """Expected payment dates, the 13-week cash-in forecast and the worklist.

    Acme paid its one past invoice 12 days late, so its invoices are
    expected 12 days after their due date (today at the earliest):

    - I1, 600 due 04-01: expected 04-13, so today (week 1);
    - I2, 900 due 05-01: expected 05-13 (week 5, from 05-11);
    - I3, 1,000 due 04-10 under a promise of 400 for 04-25 (week 2);
    - I4, 500 due 03-20, disputed: not expected;
    - I5, 1,200 due 03-01 on a plan of 3 x 400 from 04-20: weeks 2, 6 and 10.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.ar_collector_id = cls.collector
        cls.pay(cls.make_invoice(1000, due=date(2026, 2, 1)), 1000, date(2026, 2, 13))
        cls.inv_1 = cls.make_invoice(600, due=date(2026, 4, 1))
        cls.inv_2 = cls.make_invoice(900, due=date(2026, 5, 1))
        cls.inv_3 = cls.make_invoice(1000, due=date(2026, 4, 10))
        cls.inv_4 = cls.make_invoice(500, due=date(2026, 3, 20))
        cls.inv_5 = cls.make_invoice(1200, due=date(2026, 3, 1))
        with freeze_time(TODAY):
            cls.promise = cls.env["ar.payment.promise"].create(
                {
                    "partner_id": cls.customer.id,
                    "move_ids": [Command.set(cls.inv_3.ids)],
                    "amount": 400,
                    "promised_date": date(2026, 4, 25),
                }
            )
            cls.dispute = cls.env["ar.dispute"].create(
                {
                    "partner_id": cls.customer.id,
                    "move_ids": [Command.set(cls.inv_4.ids)],
                    "amount": 500,
                    "reason_id": cls.env.ref("ar_collections.ar_dispute_reason_quality").id,
                }
            )
            cls.plan = cls.env["ar.payment.plan"].create(
                {
                    "partner_id": cls.customer.id,
                    "move_ids": [Command.set(cls.inv_5.ids)],
                    "first_date": date(2026, 4, 20),
                    "installment_count": 3,
                    "down_payment": 0,
                    "frequency": "monthly",
                }
            )
            cls.plan.action_generate_schedule()
            cls.plan.action_activate()
            cls.env["ar.partner.score"]._compute_scores(cls.company)

    def forecast(self, user=None):
        self.env.invalidate_all()  # an SQL report: read again
        with freeze_time(TODAY):
            rows = self.env["ar.cash.forecast"].with_user(user or self.collector).search([])
            rows.fetch(["source", "week", "week_start", "amount", "move_id"])  # read while it is TODAY
            return rows

    def test_expected_payment_dates(self):
        with freeze_time(TODAY):
            invoices = (self.inv_1 | self.inv_2 | self.inv_3 | self.inv_4 | self.inv_5).with_user(self.collector)
            self.assertEqual(
                invoices.mapped("ar_expected_payment_date"),
                [TODAY, date(2026, 5, 13), date(2026, 4, 25), False, date(2026, 6, 20)],
            )

    def test_forecast_by_week(self):
        rows = self.forecast()
        got = sorted((row.source, row.week, row.week_start, row.amount) for row in rows)
        self.assertEqual(
            got,
            [
                ("installment", 2, date(2026, 4, 20), 400),
                ("installment", 6, date(2026, 5, 18), 400),
                ("installment", 10, date(2026, 6, 15), 400),
                ("invoice", 1, date(2026, 4, 13), 600),
                # I3: the 600 not promised, on its own expected date (04-22)
                ("invoice", 2, date(2026, 4, 20), 600),
                ("invoice", 5, date(2026, 5, 11), 900),
                ("promise", 2, date(2026, 4, 20), 400),
            ],
        )
        # money already paid towards a promise is no longer expected from it; the rest of the
        # invoice still is
        self.pay(self.inv_3, 150, TODAY)
        rows = self.forecast()
        self.assertEqual(rows.filtered(lambda r: r.source == "promise").amount, 250)
        self.assertEqual(rows.filtered(lambda r: r.move_id == self.inv_3).amount, 600)

    def test_forecast_of_a_partly_disputed_invoice(self):
        """A dispute of 200 on a 1,000 invoice: the 800 not disputed is expected on the
        invoice's date; the disputed 200 is not expected."""
        invoice = self.make_invoice(1000, due=date(2026, 5, 1))
        with freeze_time(TODAY):
            self.env["ar.dispute"].create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(invoice.ids)],
                    "amount": 200,
                    "reason_id": self.env.ref("ar_collections.ar_dispute_reason_quality").id,
                }
            )
        row = self.forecast().filtered(lambda r: r.move_id == invoice)
        self.assertEqual((row.source, row.week_start, row.amount), ("invoice", date(2026, 5, 11), 800))
        with freeze_time(TODAY):
            self.assertEqual(invoice.ar_expected_payment_date, date(2026, 5, 13))
            self.assertFalse(self.inv_4.ar_expected_payment_date, "all of it disputed: none")

    def test_forecast_stops_after_13_weeks(self):
        far = self.make_invoice(5000, due=TODAY + timedelta(weeks=14))
        self.assertNotIn(far, self.forecast().move_id)

    def test_forecast_xlsx(self):
        with freeze_time(TODAY):
            wizard = Form(self.env["ar.collections.export"].with_user(self.collector))
            wizard.report = "forecast"
            wizard = wizard.save()
            wizard.action_export()
        weeks, detail = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file))).worksheets
        self.assertEqual(
            [cell.value for cell in weeks[3]],
            ["Week", "Week of", "Invoices", "Promises to pay", "Plan installments", "Total"],
        )
        rows = list(weeks.iter_rows(min_row=4, max_row=16, values_only=True))
        self.assertEqual([row[0] for row in rows], list(range(1, 14)))
        self.assertEqual(rows[0][2:], (600, 0, 0, 600))
        self.assertEqual(rows[1][2:], (600, 400, 400, 1400))  # I3's 600 not promised, week 2
        self.assertEqual(weeks["A17"].value, "Total")
        self.assertEqual(weeks["F17"].value, "=SUM(F4:F16)")
        self.assertEqual(sum(row[5] for row in rows), 3700)
        filled = [row for row in detail.iter_rows(min_row=2, values_only=True) if row[0]]
        self.assertEqual((len(filled), filled[-1][0]), (8, "Total"), "7 forecast rows, then the total")
        self.assertEqual(detail["F9"].value, "=SUM(F2:F8)")

    def test_worklist(self):
        # a broken promise, a late installment, a dispute past its deadline, a follow-up due
        other = self.make_invoice(300, due=date(2026, 4, 3))
        with freeze_time(date(2026, 4, 1)):
            broken = self.env["ar.payment.promise"].create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(other.ids)],
                    "amount": 300,
                    "promised_date": date(2026, 4, 5),
                }
            )
        broken.write({"state": "broken", "date_settled": date(2026, 4, 8)})
        installment = self.plan.installment_ids[0]
        installment.late_since = TODAY
        self.dispute.date_deadline = TODAY - timedelta(days=2)
        with freeze_time(TODAY):
            Item = self.env["ar.worklist.item"].with_user(self.collector)
            Item._refresh(self.company)
            items = Item.search([("state", "=", "open")])
        by_kind = {item.kind: item for item in items}
        self.assertEqual(set(by_kind), {"followup", "promise", "installment", "dispute"})
        self.assertEqual(by_kind["promise"].promise_id, broken)
        self.assertEqual(by_kind["installment"].installment_id, installment)
        self.assertEqual(by_kind["installment"].amount, 400)
        self.assertEqual(by_kind["dispute"].days_overdue, 2)
        followup = by_kind["followup"]
        # I1 (14 days late) and the other invoice (12) are due the first reminder; I3-I5 are paused
        self.assertEqual(followup.level_id, self.level_1)
        self.assertEqual((followup.amount, followup.days_overdue), (900, 14))
        self.assertTrue(all(item.collector_id == self.collector for item in items))
        # priority: 40 x amount / largest amount + 30 x days / 120 + 30 x risk / 100
        risk = followup.risk_score
        self.assertAlmostEqual(followup.priority, round(40 + 30 * 14 / 120 + 30 * risk / 100, 1))
        self.assertAlmostEqual(by_kind["dispute"].priority, round(40 * 500 / 900 + 30 * 2 / 120 + 30 * risk / 100, 1))
        self.assertEqual(items[0], followup)  # the highest priority first
        self.assertIn("amount 40.0 + days overdue 3.5", followup.priority_explanation)
        # "My worklist" is the default; done items stay done, stale ones go
        action = self.env["ir.actions.act_window"]._for_xml_id("ar_collections.ar_worklist_item_action")
        self.assertIn("'search_default_my': 1", action["context"])
        by_kind["dispute"].with_user(self.collector).action_done()
        self.pay(other, 300, TODAY)
        with freeze_time(TODAY):
            self.record_level(self.inv_1, self.level_1)
            self.assertEqual(followup.state, "done")  # recording the follow-up closes the item
            Item._refresh(self.company)
        self.assertFalse(by_kind["promise"].exists())
        self.assertEqual(by_kind["dispute"].state, "done")
        self.assertEqual(Item.search([("state", "=", "open")]).kind, "installment")

    def test_refresh_writes_only_what_changed(self):
        """A second refresh of an unchanged book writes no item; a payment changes the amount
        of the one item it concerns."""
        installment = self.plan.installment_ids[0]
        installment.late_since = TODAY
        Item = self.env["ar.worklist.item"]
        with freeze_time(TODAY):
            Item._refresh(self.company)
            items = Item.search([("company_id", "=", self.company.id)])
            self.assertTrue(items)
            with patch.object(type(Item), "write", autospec=True, side_effect=type(Item).write) as write:
                Item._refresh(self.company)
            self.assertEqual(write.call_count, 0)
            late = items.filtered(lambda item: item.kind == "installment")
            before = late.amount
            self.pay(self.plan.move_ids[:1], 100, TODAY)
            with patch.object(type(Item), "write", autospec=True, side_effect=type(Item).write) as write:
                Item._refresh(self.company)
            self.assertLess(late.amount, before)
            written = self.env["ar.worklist.item"].union(*(call.args[0] for call in write.call_args_list))
            self.assertIn(late, written)

    def test_refresh_button(self):
        Item = self.env["ar.worklist.item"].with_user(self.collector)
        with freeze_time(TODAY):
            self.assertEqual(Item.action_refresh()["tag"], "soft_reload")
            self.assertTrue(Item.search([("kind", "=", "followup")]))
            # a large book: the job does it, started at once
            cron = self.env.ref("ar_collections.ir_cron_worklist")
            triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
            with patch.object(ar_worklist_item, "INLINE_REFRESH_LIMIT", 2):
                action = Item.action_refresh()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1)

    def test_derived_records_are_read_only_to_users(self):
        """Worklist items, scores and KPI snapshots are made by their jobs: a collector (or a
        manager) cannot create, write or delete them over RPC; only mark an item done or to do."""
        with freeze_time(TODAY):
            self.env["ar.worklist.item"]._refresh(self.company)
            self.env["ar.partner.score"]._compute_scores(self.company)
            self.env["ar.kpi.snapshot"]._refresh_recent(self.company)
        item = self.env["ar.worklist.item"].search([("company_id", "=", self.company.id)], limit=1)
        score = self.env["ar.partner.score"].search([("company_id", "=", self.company.id)], limit=1)
        snapshot = self.env["ar.kpi.snapshot"].search([("company_id", "=", self.company.id)], limit=1)
        self.assertTrue(item and score and snapshot)
        for user in (self.collector, self.manager):
            for record, vals in ((item, {"priority": 99.0}), (score, {"score": 0}), (snapshot, {"dso": 1.0})):
                with self.subTest(user=user.login, model=record._name):
                    with self.assertRaises(AccessError):
                        record.with_user(user).write(vals)
                    with self.assertRaises(AccessError):
                        record.with_user(user).unlink()
                    with self.assertRaises(AccessError):
                        record.with_user(user).create({"company_id": self.company.id})
        with freeze_time(TODAY):
            item.with_user(self.collector).action_done()
        self.assertRecordValues(item, [{"state": "done", "done_uid": self.collector.id, "date_done": TODAY}])
        item.with_user(self.collector).action_reopen()
        self.assertRecordValues(item, [{"state": "open", "done_uid": False, "date_done": False}])

    def test_words_in_the_readers_language(self):
        """Items and scores are made by a job in one language; each reader reads them in their own."""
        with freeze_time(TODAY):
            self.env["ar.partner.score"]._compute_scores(self.company)
            self.env["ar.worklist.item"]._refresh(self.company)
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["ar_collections"], ["fr_FR"], overwrite=True)
        french = self.collector.copy({"login": "ar_collector_fr", "lang": "fr_FR"})
        item = self.env["ar.worklist.item"].search([("kind", "=", "followup"), ("company_id", "=", self.company.id)])
        self.assertTrue(item.name.startswith("Follow up: "))
        in_french = item.with_user(french).with_context(lang="fr_FR")
        self.assertTrue(in_french.name.startswith("Relancer : "), in_french.name)
        self.assertTrue(in_french.priority_explanation.startswith("montant "), in_french.priority_explanation)
        self.assertTrue(item.priority_explanation.startswith("amount "))
        self.customer.invalidate_recordset(["ar_risk_explanation"])
        explained = self.customer.with_user(french).with_context(lang="fr_FR").ar_risk_explanation
        self.assertIn("Retards de paiement", explained)
        self.assertIn("Late payments", self.customer.with_context(lang="en_US").ar_risk_explanation)
