# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged
from odoo.tools import float_compare

from .common import ArCollectionsCommon


def day(offset):
    """The day ``offset`` days after the common due date."""
    return ArCollectionsCommon.DUE + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestFollowupLevelRule(ArCollectionsCommon):
    def test_ladder_thresholds_without_history(self):
        """Each threshold: the highest level whose delay has passed is due."""
        invoice = self.make_invoice(1000)
        expectations = [
            (-10, self.env["ar.followup.level"], day(-3)),
            (-4, self.env["ar.followup.level"], day(-3)),
            (-3, self.level_friendly, day(-3)),
            (6, self.level_friendly, day(6)),
            (7, self.level_1, day(7)),
            (20, self.level_1, day(20)),
            (21, self.level_2, day(21)),
            (45, self.level_final, day(45)),
            (59, self.level_final, day(59)),
            (60, self.level_escalation, day(60)),
            (400, self.level_escalation, day(400)),
        ]
        for offset, level, next_date in expectations:
            with self.subTest(offset=offset):
                self.assertEqual(self.due_level(invoice, day(offset)), (level, next_date))

    def test_level_already_applied_is_not_due_again(self):
        invoice = self.make_invoice(1000)
        with freeze_time(day(8)):
            self.record_level(invoice, self.level_1)
        self.assertEqual(invoice.ar_followup_level_id, self.level_1)
        self.assertEqual(invoice.ar_last_followup_date, day(8))
        # nothing until the second reminder's day (later than the minimum gap)
        self.assertEqual(self.due_level(invoice, day(10)), (self.env["ar.followup.level"], day(21)))
        self.assertEqual(self.due_level(invoice, day(21)), (self.level_2, day(21)))

    def test_lower_level_never_follows_higher(self):
        invoice = self.make_invoice(1000)
        with freeze_time(day(46)):
            self.record_level(invoice, self.level_final)
        # the final notice was sent: the first and second reminders are never due any more
        self.assertEqual(self.due_level(invoice, day(58)), (self.env["ar.followup.level"], day(60)))
        self.assertEqual(self.due_level(invoice, day(60)), (self.level_escalation, day(60)))

    def test_minimum_gap_since_previous_reminder(self):
        invoice = self.make_invoice(1000)
        with freeze_time(day(19)):
            self.record_level(invoice, self.level_1)
        # the second reminder's delay passed on day 21, but it needs 7 days since day 19
        self.assertEqual(self.level_2.min_gap_days, 7)
        self.assertEqual(self.due_level(invoice, day(21)), (self.env["ar.followup.level"], day(26)))
        self.assertEqual(self.due_level(invoice, day(25)), (self.env["ar.followup.level"], day(26)))
        self.assertEqual(self.due_level(invoice, day(26)), (self.level_2, day(26)))

    def test_call_counts_as_previous_contact(self):
        """A logged call (no level) resets the gap but applies no level."""
        invoice = self.make_invoice(1000)
        with freeze_time(day(10)):
            self.env["ar.followup.history"]._record(
                self.customer, "call", "reached", {invoice: self.env["ar.followup.level"]}
            )
        self.assertFalse(invoice.ar_followup_level_id)
        # the first reminder (day 7) waits its 5-day gap after the call
        self.assertEqual(self.due_level(invoice, day(12)), (self.env["ar.followup.level"], day(15)))
        self.assertEqual(self.due_level(invoice, day(15)), (self.level_1, day(15)))

    def test_worth_sending_follows_the_currency_rounding_at_the_tolerance(self):
        """A level is worth sending above the company's tolerance, both rounded as the currency
        rounds (float_compare): the same answer on the fast path and where rounding decides."""
        self.company.ar_followup_min_amount = 350
        worth_sending = self.level_1._worth_sending_test()  # after the due date: the overdue amount
        for overdue, expected in [
            (0.0, False),
            (349.99, False),
            (350.0, False),
            (350.0 + 1e-9, False),
            (350.004, False),
            (350.005, True),  # rounds half up to 350.01
            (350.006, True),
            (350.01, True),
            (351.0, True),
        ]:
            with self.subTest(overdue=overdue):
                self.assertIs(worth_sending(10_000.0, overdue), expected)
                self.assertEqual(expected, float_compare(overdue, 350, precision_rounding=0.01) > 0)
        # a tolerance that is not a whole number of cents, rounded too
        self.company.ar_followup_min_amount = 12.345  # 12.35
        worth_sending = self.level_1._worth_sending_test()
        self.assertFalse(worth_sending(0.0, 12.35))
        self.assertTrue(worth_sending(0.0, 12.355))
        # before the due date the balance is at stake
        self.assertTrue(self.level_friendly._worth_sending_test()(12.36, 0.0))
        self.assertFalse(self.level_friendly._worth_sending_test()(12.35, 10_000.0))

    def test_excluded_invoice_and_customer(self):
        invoice = self.make_invoice(1000)
        other = self.make_invoice(500)
        invoice.ar_excluded = True
        nothing = (self.env["ar.followup.level"], False)
        self.assertEqual(self.due_level(invoice, day(30)), nothing)
        self.assertEqual(self.due_level(other, day(30)), (self.level_2, day(30)))
        self.customer.ar_excluded = True
        self.assertEqual(self.due_level(other, day(30)), nothing)

    def test_customer_exclusion_is_per_company(self):
        other_company = self.setup_other_company()["company"]
        invoice = self.make_invoice(1000)
        self.customer.with_company(other_company).ar_excluded = True
        self.assertEqual(self.due_level(invoice, day(30)), (self.level_2, day(30)))

    def test_credit_notes_paid_and_draft_invoices_get_no_level(self):
        nothing = (self.env["ar.followup.level"], False)
        credit_note = self.make_invoice(300, move_type="out_refund")
        draft = self.make_invoice(300, post=False)
        paid = self.make_invoice(300)
        self.pay(paid, 300, day(1))
        self.assertEqual(paid.payment_state, "paid")
        for move in credit_note | draft | paid:
            with self.subTest(move=move.display_name):
                self.assertEqual(self.due_level(move, day(30)), nothing)

    def test_partially_paid_invoice_is_still_followed_up(self):
        invoice = self.make_invoice(1000)
        self.pay(invoice, 400, day(2))
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(self.due_level(invoice, day(30)), (self.level_2, day(30)))

    def test_invoice_settled_by_credit_note_gets_no_level(self):
        invoice = self.make_invoice(1000)
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "date": day(3)})
        )
        reversal.refund_moves()
        invoice.reversal_move_ids.action_post()  # posting a reversal reconciles it with the invoice
        self.assertIn(invoice.payment_state, ("paid", "reversed"))
        self.assertEqual(self.due_level(invoice, day(30)), (self.env["ar.followup.level"], False))

    def test_installments_are_chased_from_the_first_unpaid_one(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "Half at 30, half at 90 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 90}),
                ],
            }
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": day(-30),
                "invoice_payment_term_id": term.id,
                "invoice_line_ids": [Command.create({"name": "Goods", "price_unit": 1000, "tax_ids": []})],
            }
        )
        invoice.action_post()
        self.assertEqual(invoice.invoice_date_due, day(60), "Odoo's due date is the last installment's")
        # the first installment fell due on day 0: 21 days later the second reminder is due
        self.assertEqual(self.due_level(invoice, day(21)), (self.level_2, day(21)))
        with freeze_time(day(21)):
            invoice.invalidate_recordset()
            self.assertEqual(invoice.ar_days_overdue, 21)
            self.assertEqual(invoice.ar_aging_bucket, "1_30")
            # the filters see what the screen shows
            mine = [("id", "=", invoice.id)]
            self.assertEqual(self.env["account.move"].search(mine + [("ar_days_overdue", ">", 0)]), invoice)
            self.assertEqual(self.env["account.move"].search(mine + [("ar_days_overdue", "=", 21)]), invoice)
            self.assertEqual(self.env["account.move"].search(mine + [("ar_aging_bucket", "=", "1_30")]), invoice)
            self.assertFalse(self.env["account.move"].search(mine + [("ar_aging_bucket", "=", "not_due")]))
        # once the first installment is paid, the next one (day 60) drives the ladder
        self.pay(invoice, 500, day(22))
        self.assertEqual(self.due_level(invoice, day(30)), (self.env["ar.followup.level"], day(57)))

    def test_multi_currency_invoice(self):
        """Levels follow dates, whatever the currency; amounts are converted."""
        eur = self.setup_other_currency("EUR")
        invoice = self.make_invoice(1000, currency=eur)
        self.assertEqual(self.due_level(invoice, day(21)), (self.level_2, day(21)))
        self.assertAlmostEqual(invoice.amount_residual, 1000)
        self.assertAlmostEqual(invoice.amount_residual_signed, 500)  # rate 2.0 in the fixtures

    def test_archived_level_and_other_company_levels_are_ignored(self):
        invoice = self.make_invoice(1000)
        self.level_2.active = False
        self.assertEqual(self.due_level(invoice, day(30)), (self.level_1, day(30)))
        other_company = self.setup_other_company()["company"]
        self.env["ar.followup.level"].create(
            {"name": "Other company day 25", "delay": 25, "company_id": other_company.id}
        )
        self.assertEqual(self.due_level(invoice, day(30)), (self.level_1, day(30)))

    def test_computed_fields_on_invoice(self):
        invoice = self.make_invoice(1000)
        with freeze_time(day(35)):
            self.refresh_due_levels()
            invoice.invalidate_recordset()
            self.assertEqual(invoice.ar_days_overdue, 35)
            self.assertEqual(invoice.ar_aging_bucket, "31_60")
            self.assertEqual(invoice.ar_due_level_id, self.level_2)
            self.assertEqual(invoice.ar_next_followup_date, day(35))
        with freeze_time(day(-1)):
            invoice.invalidate_recordset()
            self.assertEqual(invoice.ar_days_overdue, 0)
            self.assertEqual(invoice.ar_aging_bucket, "not_due")

    def test_aging_bucket_and_days_overdue_search(self):
        buckets = {
            "not_due": self.make_invoice(10, due=date(2026, 6, 10)),
            "1_30": self.make_invoice(10, due=date(2026, 5, 31)),
            "31_60": self.make_invoice(10, due=date(2026, 5, 1)),
            "61_90": self.make_invoice(10, due=date(2026, 4, 1)),
            "91_120": self.make_invoice(10, due=date(2026, 2, 10)),
            "120_plus": self.make_invoice(10, due=date(2026, 2, 9)),
        }
        mine = [("partner_id", "=", self.customer.id)]
        with freeze_time("2026-06-10"):
            for bucket, invoice in buckets.items():
                with self.subTest(bucket=bucket):
                    invoice.invalidate_recordset()
                    self.assertEqual(invoice.ar_aging_bucket, bucket)
                    found = self.env["account.move"].search(mine + [("ar_aging_bucket", "=", bucket)])
                    self.assertEqual(found, invoice)
            both = self.env["account.move"].search(mine + [("ar_aging_bucket", "in", ["1_30", "120_plus"])])
            self.assertEqual(both, buckets["1_30"] | buckets["120_plus"])
            overdue = self.env["account.move"].search(mine + [("ar_days_overdue", ">", 0)])
            self.assertEqual(len(overdue), 5)
            old = self.env["account.move"].search(mine + [("ar_days_overdue", ">", 120)])
            self.assertEqual(old, buckets["120_plus"])


@tagged("post_install", "-at_install")
class TestStoredDecision(ArCollectionsCommon):
    """The level rule's decision is stored on the invoice and kept current by each event that
    changes it; the nightly job stores it again for the passing of days."""

    def decision(self, invoice):
        self.env.flush_all()
        invoice.invalidate_recordset(["ar_due_level_id", "ar_next_followup_date"])
        self.env.cr.execute(
            "SELECT ar_due_level_id, ar_next_followup_date FROM account_move WHERE id = %s", [invoice.id]
        )
        level_id, next_date = self.env.cr.fetchone()
        self.assertEqual(
            (invoice.ar_due_level_id.id or None, invoice.ar_next_followup_date or None), (level_id, next_date)
        )
        return self.env["ar.followup.level"].browse(level_id), next_date

    @freeze_time(day(10))
    def test_posting_history_payment_and_their_undoing(self):
        invoice = self.make_invoice(1000, post=False)
        self.assertEqual(self.decision(invoice), (self.env["ar.followup.level"], None))
        invoice.action_post()
        self.assertEqual(self.decision(invoice), (self.level_1, day(10)))
        self.record_level(invoice, self.level_friendly)
        # the first reminder waits for its gap of 5 days after the friendly notice
        self.assertEqual(self.decision(invoice), (self.env["ar.followup.level"], day(15)))
        self.record_level(invoice, self.level_1)
        # the second reminder falls on day 21, after the first reminder's gap of 7 days
        self.assertEqual(self.decision(invoice), (self.env["ar.followup.level"], day(21)))
        invoice.ar_followup_resume_level_id = self.level_final
        self.assertEqual(self.decision(invoice), (self.env["ar.followup.level"], day(20)))  # 10 + gap 10
        invoice.ar_followup_resume_level_id = False
        payment = self.pay(invoice, 1000, day(10))
        self.assertEqual(self.decision(invoice), (self.env["ar.followup.level"], None))
        payment.move_id.line_ids.remove_move_reconcile()
        self.assertEqual(self.decision(invoice), (self.env["ar.followup.level"], day(21)))
        invoice.button_draft()
        self.assertEqual(self.decision(invoice), (self.env["ar.followup.level"], None))

    @freeze_time(day(10))
    def test_exclusions_and_pauses(self):
        invoice = self.make_invoice(1000)
        nothing = (self.env["ar.followup.level"], None)
        invoice.ar_excluded = True
        self.assertEqual(self.decision(invoice), nothing)
        invoice.ar_excluded = False
        self.assertEqual(self.decision(invoice), (self.level_1, day(10)))
        self.customer.with_company(self.company).with_user(self.collector).ar_excluded = True
        self.assertEqual(self.decision(invoice), nothing)
        self.customer.with_company(self.company).ar_excluded = False
        self.assertEqual(self.decision(invoice), (self.level_1, day(10)))
        promise = self.env["ar.payment.promise"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(invoice.ids)],
                "amount": 500,
                "promised_date": day(20),
            }
        )
        self.assertEqual(self.decision(invoice), nothing)
        promise.action_cancel()
        self.assertEqual(self.decision(invoice), (self.level_1, day(10)))
        dispute = self.env["ar.dispute"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(invoice.ids)],
                "amount": 100,
                "reason_id": self.env.ref("ar_collections.ar_dispute_reason_quality").id,
            }
        )
        self.assertEqual(self.decision(invoice), nothing)
        dispute.action_cancel()
        self.assertEqual(self.decision(invoice), (self.level_1, day(10)))
        plan = self.env["ar.payment.plan"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(invoice.ids)],
                "installment_count": 2,
                "frequency": "monthly",
                "first_date": day(15),
            }
        )
        plan.action_generate_schedule()
        plan.action_activate()
        self.assertEqual(self.decision(invoice), nothing)
        plan.action_cancel()
        self.assertEqual(self.decision(invoice), (self.level_1, day(10)))

    @freeze_time(day(10))
    def test_customers_excluded_by_the_company_default(self):
        """An administrator's default (ir.default) for the company-dependent exclusion holds
        where a customer has no value of its own, as the ORM reads it."""
        invoice = self.make_invoice(1000)
        self.env["ir.default"].set("res.partner", "ar_excluded", True, company_id=self.company.id)
        self.assertTrue(self.customer.with_company(self.company).ar_excluded)
        self.assertEqual(self.due_level(invoice, day(10)), (self.env["ar.followup.level"], False))
        # setting the default decides again at once, not at the nightly refresh
        self.assertEqual(self.decision(invoice), (self.env["ar.followup.level"], None))
        self.customer.with_company(self.company).ar_excluded = False  # its own value wins
        self.assertEqual(self.decision(invoice), (self.level_1, day(10)))
        other = self.make_invoice(500, partner=self.env["res.partner"].create({"name": "Beta"}))
        self.assertEqual(self.decision(other), (self.env["ar.followup.level"], None))
        self.env["ir.default"].search([("field_id.name", "=", "ar_excluded")]).unlink()
        self.assertEqual(self.decision(other), (self.level_1, day(10)))

    @freeze_time(day(10))
    def test_customer_figures_follow_their_invoices_within_a_transaction(self):
        """The customer's level due, next date and open invoices, read once, are read again
        after an event changes its invoices' decision, without a new transaction."""
        customer = self.customer.with_company(self.company)
        invoice = self.make_invoice(1000)
        self.assertEqual((customer.ar_due_level_id, customer.ar_next_followup_date), (self.level_1, day(10)))
        self.assertEqual(customer.ar_open_invoice_ids, invoice)
        self.record_level(invoice, self.level_1)
        self.assertEqual(
            (customer.ar_due_level_id, customer.ar_next_followup_date), (self.env["ar.followup.level"], day(21))
        )
        self.assertEqual(customer.ar_followup_level_id, self.level_1)
        self.pay(invoice, 1000, day(10))
        self.assertFalse(customer.ar_open_invoice_ids)
        self.assertFalse(customer.ar_next_followup_date)

    @freeze_time(day(10))
    def test_merging_customers_decides_again_on_the_merged_invoices(self):
        """Odoo's merge moves invoices in raw SQL: the kept customer's exclusion applies to the
        invoices it receives at once, not at the next nightly refresh."""
        duplicate = self.env["res.partner"].create({"name": "Customer (duplicate)", "email": "dup@example.com"})
        invoice = self.make_invoice(1000, partner=duplicate)
        other_company = self.setup_other_company()["company"]
        other = self.make_invoice(1000, partner=duplicate, company=other_company)
        self.assertEqual(self.decision(invoice), (self.level_1, day(10)))
        self.assertTrue(self.decision(other)[1])
        self.customer.with_company(self.company).ar_excluded = True
        self.customer.with_company(other_company).ar_excluded = True
        wizard = self.env["base.partner.merge.automatic.wizard"].create({})
        wizard._merge((self.customer | duplicate).ids, dst_partner=self.customer, extra_checks=False)
        self.assertFalse(duplicate.exists())
        self.assertEqual(invoice.commercial_partner_id, self.customer)
        self.assertEqual(self.decision(invoice), (self.env["ar.followup.level"], None))
        # the merge moved every company's invoices: all are decided again
        self.assertEqual(self.decision(other), (self.env["ar.followup.level"], None))

    @freeze_time(day(10))
    def test_level_edits_change_the_decision_of_their_company(self):
        invoice = self.make_invoice(1000)
        other_company = self.setup_other_company()["company"]
        other = self.make_invoice(1000, company=other_company)
        other_before = self.decision(other)
        self.level_1.delay = 12
        self.assertEqual(self.decision(invoice), (self.level_friendly, day(10)))
        self.record_level(invoice, self.level_friendly)
        self.assertEqual(self.decision(invoice), (self.env["ar.followup.level"], day(15)))  # 10 + gap 5
        self.level_1.min_gap_days = 1
        self.assertEqual(self.decision(invoice), (self.env["ar.followup.level"], day(12)))
        self.level_1.active = False
        self.assertEqual(self.decision(invoice), (self.env["ar.followup.level"], day(21)))
        self.assertEqual(self.decision(other), other_before, "another company's levels are its own")

    def test_nightly_refresh_for_the_passing_of_days(self):
        with freeze_time(day(10)):
            invoice = self.make_invoice(1000)
            self.assertEqual(self.decision(invoice), (self.level_1, day(10)))
        with freeze_time(day(25)):
            self.assertEqual(self.decision(invoice), (self.level_1, day(10)), "stored: as of its last refresh")
            self.assertEqual(self.refresh_due_levels(), 1)
            self.assertEqual(self.decision(invoice), (self.level_2, day(25)))
            self.assertEqual(self.refresh_due_levels(), 0, "nothing changed: nothing written")
            due = self.env["res.partner"].search([("ar_next_followup_date", "<=", day(25))])
            self.assertIn(self.customer, due)

    def test_rule_and_refresh_query_counts_do_not_grow_with_invoices(self):
        """The level rule and the nightly refresh are set-based: 30 invoices cost what one does."""
        one = self.make_invoice(100)
        many = one | self.env["account.move"].union(*(self.make_invoice(10 + i) for i in range(29)))
        Level = self.env["ar.followup.level"]

        def queries(func):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            func()
            return self.env.cr.sql_log_count - before

        with freeze_time(day(30)):
            queries(lambda: Level._get_due_levels(one, day(30)))  # warm the registry caches
            self.assertEqual(
                queries(lambda: Level._get_due_levels(many, day(30))),
                queries(lambda: Level._get_due_levels(one, day(30))),
            )
            # the companies, the defaults of the exclusion, the statement (levels due, updated,
            # cleared), and their flushes
            self.assertLessEqual(queries(self.refresh_due_levels), 5)
            self.assertEqual(set(many.mapped("ar_due_level_id")), {self.level_2})

    @freeze_time(day(10))
    def test_preview_reads_the_decision_stored_for_its_day(self):
        """A preview of the day the decision was stored reads it; of another day, or one stored
        for another day, it applies the rule again."""
        invoice = self.make_invoice(1000)
        self.assertEqual(self.decision(invoice), (self.level_1, day(10)))

        def previewed(on):
            batch = self.env["ar.followup.batch"].create({"date": on, "partner_ids": [Command.set(self.customer.ids)]})
            return [(vals["partner_id"], vals["level_id"]) for vals in batch._prepare_line_vals_list()]

        # what the nightly job would have stored, written behind the ORM's back: the preview trusts it
        self.env.cr.execute("UPDATE account_move SET ar_due_level_id = %s WHERE id = %s", [self.level_2.id, invoice.id])
        self.assertEqual(previewed(day(10)), [(self.customer.id, self.level_2.id)])
        self.env.cr.execute("UPDATE account_move SET ar_due_decided_on = %s WHERE id = %s", [day(9), invoice.id])
        self.assertEqual(previewed(day(10)), [(self.customer.id, self.level_1.id)])
        self.assertEqual(previewed(day(22)), [(self.customer.id, self.level_2.id)])
