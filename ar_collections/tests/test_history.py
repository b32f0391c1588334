# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import ArCollectionsCommon


@tagged("post_install", "-at_install")
class TestFollowupHistory(ArCollectionsCommon):
    def test_record_applies_level_and_its_consequences(self):
        first = self.make_invoice(1000)
        second = self.make_invoice(250)
        with freeze_time(self.DUE + timedelta(days=8)):
            history = self.env["ar.followup.history"]._record(
                self.customer, "email", "sent", {first: self.level_1, second: self.level_friendly}
            )
        self.assertRecordValues(
            history,
            [
                {
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                    "level_id": self.level_1.id,  # the highest level applied
                    "channel": "email",
                    "outcome": "sent",
                    "user_id": self.env.user.id,
                    "amount_residual": 1250.0,
                }
            ],
        )
        self.assertRecordValues(
            history.line_ids.sorted("amount_residual"),
            [
                {"move_id": second.id, "level_id": self.level_friendly.id, "amount_residual": 250.0, "days_overdue": 8},
                {"move_id": first.id, "level_id": self.level_1.id, "amount_residual": 1000.0, "days_overdue": 8},
            ],
        )
        self.assertEqual(first.ar_followup_level_id, self.level_1)
        self.assertEqual(second.ar_followup_level_id, self.level_friendly)
        self.assertEqual(first.ar_last_followup_date, self.DUE + timedelta(days=8))
        # the customer moved to the level's stage, and the chatter says so
        self.assertEqual(self.customer.ar_collection_stage_id, self.stage_reminded)
        self.assertIn("Collection stage", self.customer.message_ids[0].body + self.customer.message_ids[1].body)
        # shown on the customer and on the invoice
        self.assertEqual(self.customer.ar_history_ids, history)
        self.assertEqual(first.ar_history_line_ids, history.line_ids.filtered(lambda line: line.move_id == first))
        self.assertIn("First reminder", first.message_ids[0].body)

    def test_history_is_immutable(self):
        invoice = self.make_invoice(1000)
        history = self.record_level(invoice, self.level_1)
        with self.assertRaisesRegex(UserError, "audit trail"):
            history.write({"outcome": "printed"})
        with self.assertRaisesRegex(UserError, "audit trail"):
            history.line_ids.write({"amount_residual": 0.0})
        # no group may delete history; even the superuser meets the audit-trail guard
        with self.assertRaises(AccessError):
            history.unlink()
        with self.assertRaisesRegex(UserError, "audit trail"):
            history.sudo().unlink()
        with self.assertRaisesRegex(UserError, "audit trail"):
            history.line_ids.sudo().unlink()
        self.assertEqual(history.outcome, "sent")
        self.assertEqual(len(history.line_ids), 1)

    def test_database_refuses_same_level_twice_on_same_invoice_and_channel(self):
        invoice = self.make_invoice(1000)
        self.record_level(invoice, self.level_1, channel="email")
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.record_level(invoice, self.level_1, channel="email")
            self.env.flush_all()
        # another channel of the same level, and another level, are fine
        self.record_level(invoice, self.level_1, channel="letter")
        self.record_level(invoice, self.level_2, channel="email")
        self.env.flush_all()
        self.assertEqual(len(invoice.ar_history_line_ids), 3)

    def test_contacts_without_level_may_repeat(self):
        invoice = self.make_invoice(1000)
        for _i in range(2):
            self.env["ar.followup.history"]._record(
                self.customer, "call", "no_answer", {invoice: self.env["ar.followup.level"]}
            )
        self.env.flush_all()
        self.assertEqual(len(invoice.ar_history_line_ids), 2)
        self.assertFalse(invoice.ar_followup_level_id)

    def test_invoice_with_history_cannot_be_deleted(self):
        invoice = self.make_invoice(1000)
        self.record_level(invoice, self.level_1)
        invoice.button_draft()
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            invoice.with_context(force_delete=True).unlink()
            self.env.flush_all()
        self.assertTrue(invoice.exists())

    def test_last_followup_day_is_the_actors_whoever_recomputes(self):
        """Stored, it feeds the minimum gap between reminders: the day it was for the person who
        acted, not for whoever triggers a recompute later."""
        invoice = self.make_invoice(1000)
        self.collector.tz = "Pacific/Auckland"  # UTC+13 in March
        reader = new_test_user(self.env, "ar_reader_la", groups="ar_collections.group_ar_collections_user",
                               tz="America/Los_Angeles")  # fmt: skip
        with freeze_time("2026-03-10 20:00:00"):  # 11 March in Auckland, 10 March in Los Angeles
            self.env["ar.followup.history"].with_user(self.collector)._record(
                self.customer, "email", "sent", {invoice: self.level_1}
            )
            self.env.flush_all()
            self.assertEqual(str(invoice.ar_last_followup_date), "2026-03-11")
            field = invoice._fields["ar_last_followup_date"]
            self.env.add_to_compute(field, invoice)
            invoice.with_user(reader).with_context(tz="America/Los_Angeles")._recompute_recordset(
                ["ar_last_followup_date"]
            )
            invoice.invalidate_recordset(["ar_last_followup_date"])
            self.assertEqual(str(invoice.ar_last_followup_date), "2026-03-11")
