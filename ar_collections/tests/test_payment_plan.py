# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from ..models.ar_payment_plan import build_schedule
from .common import ArCollectionsCommon


@tagged("post_install", "-at_install")
class TestPaymentPlan(ArCollectionsCommon):
    """Payment plans: schedules, payments allocated from accounting, late and
    broken plans, completion, and their effect on follow-ups."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.offer_day = cls.DUE + timedelta(days=31)  # 2026-04-01: both invoices a month late
        cls.first_day = date(2026, 4, 15)
        cls.customer.ar_collector_id = cls.collector
        cls.inv_1 = cls.make_invoice(600)
        cls.inv_2 = cls.make_invoice(400)
        cls.inv_other = cls.make_invoice(150, due=cls.DUE + timedelta(days=5))
        cls.stage_plan = cls.env.ref("ar_collections.ar_collection_stage_payment_plan")
        cls.stage_current = cls.env.ref("ar_collections.ar_collection_stage_current")
        cls.company.write(
            {
                "ar_payment_plan_grace_days": 5,
                "ar_payment_plan_max_missed": 2,
                "ar_payment_plan_break_level_id": cls.level_final.id,
            }
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def wizard(self, invoices, user=None, **vals):
        user = user or self.collector
        action = invoices.with_user(user).action_ar_offer_payment_plan()
        wizard_form = Form(self.env[action["res_model"]].with_user(user).with_context(**action["context"]))
        for name, value in vals.items():
            setattr(wizard_form, name, value)
        return wizard_form.save()

    def offer(self, invoices=None, user=None, **vals):
        """A draft plan over ``invoices`` (default: the two invoices), offered on ``offer_day``."""
        vals = {"installment_count": 3, "down_payment": 100, "first_date": self.first_day, **vals}
        with freeze_time(self.offer_day):
            wizard = self.wizard(invoices or self.inv_1 | self.inv_2, user=user, **vals)
            action = wizard.action_create_plan()
        return self.env["ar.payment.plan"].browse(action["res_id"])

    def active_plan(self, **vals):
        plan = self.offer(**vals)
        with freeze_time(self.offer_day):
            plan.with_user(self.collector).action_activate()
        return plan

    def schedule(self, plan):
        return [(i.date_due, i.amount, i.state) for i in plan.installment_ids]

    def run_cron(self, day):
        with freeze_time(day):
            return self.env["ar.payment.plan"]._cron_check_plans()

    # ------------------------------------------------------------------
    # Schedules
    # ------------------------------------------------------------------
    def test_schedule_rounding_zero_decimal_currency(self):
        yen = self.env.ref("base.JPY")
        schedule = build_schedule(yen, 1000, 0, 3, "monthly", date(2026, 1, 31))
        self.assertEqual(
            schedule,
            [(date(2026, 1, 31), 333, False), (date(2026, 2, 28), 333, False), (date(2026, 3, 31), 334, False)],
        )
        schedule = build_schedule(yen, 1001, 101, 4, "weekly", date(2026, 5, 4))
        self.assertEqual([amount for _day, amount, _down in schedule], [101, 225, 225, 225, 225])
        self.assertEqual(schedule[0][2], True)
        self.assertEqual(
            [day for day, _amount, _down in schedule],
            [date(2026, 5, 4), date(2026, 5, 11), date(2026, 5, 18), date(2026, 5, 25), date(2026, 6, 1)],
        )

    def test_schedule_rounding_three_decimal_currency_end_to_end(self):
        dinar = self.setup_other_currency("KWD", rates=[("2026-01-01", 0.3)])
        self.assertEqual(dinar.rounding, 0.001)
        invoices = self.make_invoice(70, currency=dinar) | self.make_invoice(30, currency=dinar)
        plan = self.offer(invoices, down_payment=10.005, installment_count=3, frequency="biweekly")
        self.assertEqual(plan.currency_id, dinar)
        self.assertEqual(plan.amount_total, 100)
        amounts = plan.installment_ids.mapped("amount")
        # 89.995 left after the down payment: 29.998 twice, the remainder on the last one
        self.assertEqual([round(a, 3) for a in amounts], [10.005, 29.998, 29.998, 29.999])
        self.assertEqual(dinar.compare_amounts(sum(amounts), plan.amount_total), 0)
        self.assertEqual(
            plan.installment_ids.mapped("date_due"),
            [self.first_day, date(2026, 4, 29), date(2026, 5, 13), date(2026, 5, 27)],
        )

    def test_wizard_previews_and_creates_a_draft_plan(self):
        with freeze_time(self.offer_day):
            wizard = self.wizard(self.inv_1, installment_count=4, down_payment=0, first_date=self.first_day)
        # from one invoice: that invoice; the preview shows the schedule
        self.assertEqual(wizard.move_ids, self.inv_1)
        self.assertEqual(wizard.amount_total, 600)
        self.assertIn("150.00", wizard.schedule_preview)
        self.assertIn("2026-07-15", wizard.schedule_preview)
        # from the customer: all its open invoices
        action = self.customer.with_user(self.collector).action_ar_offer_payment_plan()
        self.assertEqual(
            set(action["context"]["default_move_ids"]), set((self.inv_1 | self.inv_2 | self.inv_other).ids)
        )
        plan = self.offer()
        self.assertEqual(plan.state, "draft")
        self.assertEqual(plan.partner_id, self.customer)
        self.assertEqual(plan.user_id, self.collector)
        self.assertEqual(plan.amount_total, 1000)
        self.assertEqual(
            self.schedule(plan),
            [
                (self.first_day, 100, "pending"),
                (date(2026, 5, 15), 300, "pending"),
                (date(2026, 6, 15), 300, "pending"),
                (date(2026, 7, 15), 300, "pending"),
            ],
        )
        self.assertTrue(plan.name.startswith("PLAN/"))
        # once proposed, its invoices are held: a new offer to the customer takes the others only
        plan.action_mark_proposed()
        action = self.customer.with_user(self.collector).action_ar_offer_payment_plan()
        self.assertEqual(action["context"]["default_move_ids"], self.inv_other.ids)

    def test_draft_schedule_can_be_edited_only_if_it_adds_up(self):
        plan = self.offer()
        first, second = plan.installment_ids[:2]
        plan.write(
            {"installment_ids": [Command.update(first.id, {"amount": 50}), Command.update(second.id, {"amount": 350})]}
        )
        self.assertEqual(plan.installment_ids.mapped("amount"), [50, 350, 300, 300])
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            first.amount = 60
        self.assertEqual(first.amount, 50)
        # recomputing the schedule from the terms
        plan.installment_count = 2
        plan.action_generate_schedule()
        self.assertEqual(plan.installment_ids.mapped("amount"), [100, 450, 450])
        # once proposed, the schedule is what the customer was offered
        plan.action_mark_proposed()
        with self.assertRaises(UserError), self.env.cr.savepoint():
            plan.installment_ids[1].amount = 400

    # ------------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------------
    def test_bad_input_is_refused_and_nothing_written(self):
        Plan = self.env["ar.payment.plan"]
        before = Plan.search_count([])
        other_customer = self.env["res.partner"].create({"name": "Other Ltd", "is_company": True})
        eur = self.setup_other_currency("EUR")
        company_2 = self.setup_other_company()["company"]
        self.env["res.company"].browse(company_2.id)._ar_create_default_followup_levels()
        paid = self.make_invoice(80)
        self.pay(paid, 80, self.DUE)
        draft = self.make_invoice(90, post=False)
        bill = self.make_invoice(70, move_type="in_invoice")
        foreign_currency = self.make_invoice(60, currency=eur)
        other_company = self.make_invoice(50, company=company_2)
        cases = {
            "zero installments": (self.inv_1, {"installment_count": 0}),
            "negative installments": (self.inv_1, {"installment_count": -2}),
            "down payment above total": (self.inv_1, {"down_payment": 601}),
            "down payment equal to total": (self.inv_1, {"down_payment": 600}),
            "negative down payment": (self.inv_1, {"down_payment": -1}),
            "paid invoice": (self.inv_1 | paid, {}),
            "draft invoice": (self.inv_1 | draft, {}),
            "vendor bill": (self.inv_1 | bill, {}),
            "other currency": (self.inv_1 | foreign_currency, {}),
        }
        for label, (invoices, vals) in cases.items():
            with self.subTest(label), freeze_time(self.offer_day):
                wizard = (
                    self.env["ar.payment.plan.wizard"]
                    .with_user(self.collector)
                    .create(
                        {
                            "partner_id": self.customer.id,
                            "move_ids": [Command.set(invoices.ids)],
                            "installment_count": 3,
                            "first_date": self.first_day,
                            **vals,
                        }
                    )
                )
                with self.assertRaises(ValidationError):
                    wizard.action_create_plan()
        # another customer's, another company's invoices: a clear error, from the buttons too
        with self.assertRaises(UserError):
            (self.inv_1 | self.make_invoice(40, partner=other_customer)).action_ar_offer_payment_plan()
        with freeze_time(self.offer_day), self.assertRaises(UserError):
            self.env["ar.payment.plan"].create(
                {
                    "partner_id": self.customer.id,
                    "first_date": self.first_day,
                    "move_ids": [Command.set((self.inv_1 | other_company).ids)],
                }
            )
        self.assertEqual(Plan.search_count([]), before)
        # an invoice already on an active plan
        self.active_plan()
        with freeze_time(self.offer_day), self.assertRaises(ValidationError):
            self.wizard(self.inv_2 | self.inv_other, installment_count=2).action_create_plan()
        self.assertEqual(Plan.search_count([]), before + 1)

    def test_activation_refuses_past_first_date_and_changed_balance(self):
        plan = self.offer()
        with freeze_time(self.first_day + timedelta(days=1)), self.assertRaises(UserError):
            plan.action_activate()
        self.assertEqual(plan.state, "draft")
        # a payment came in after the schedule was made: compute it again first
        self.pay(self.inv_2, 100, self.offer_day)
        with freeze_time(self.offer_day):
            with self.assertRaises(UserError):
                plan.action_activate()
            self.assertEqual(plan.state, "draft")
            plan.action_generate_schedule()
            self.assertEqual(plan.amount_total, 900)
            plan.action_activate()
        self.assertEqual(plan.state, "active")

    # ------------------------------------------------------------------
    # Proposal and activation
    # ------------------------------------------------------------------
    def test_send_proposal_emails_the_agreement_and_marks_it_proposed(self):
        plan = self.offer()
        action = plan.with_user(self.collector).action_send_proposal()
        composer = Form(self.env["mail.compose.message"].with_user(self.collector).with_context(**action["context"]))
        composer.save().action_send_mail()
        self.assertEqual(plan.state, "proposed")
        message = plan.message_ids.filtered(lambda m: m.message_type == "comment")[:1]
        self.assertIn(self.customer, message.partner_ids)
        self.assertIn("PLAN/", message.subject)
        self.assertEqual(len(message.attachment_ids), 1)
        self.assertIn("Payment plan", message.attachment_ids.name)
        self.assertIn("300.00", str(message.body))

    def test_activation_moves_customer_and_pauses_followups(self):
        with freeze_time(self.offer_day):
            self.assertEqual(self.due_level(self.inv_1, self.offer_day)[0], self.level_2)
        plan = self.active_plan()
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.date_activated, self.offer_day)
        self.assertEqual(self.customer.ar_collection_stage_id, self.stage_plan)
        with freeze_time(self.offer_day):
            self.assertFalse(self.due_level(self.inv_1, self.offer_day)[0])
            self.assertFalse(self.due_level(self.inv_2, self.offer_day)[0])
            self.assertEqual(self.due_level(self.inv_other, self.offer_day)[0], self.level_2)
            self.assertIn(plan.name, self.inv_1.ar_followup_pause_reason)
            self.assertFalse(self.inv_other.ar_followup_pause_reason)
        self.assertEqual(plan.next_due_date, self.first_day)
        self.assertEqual(plan.next_amount, 100)

    def test_fee_is_invoiced_on_activation_and_covered(self):
        plan = self.active_plan(fee_amount=30)
        self.assertEqual(plan.amount_total, 1030)
        fee = plan.fee_move_id
        self.assertEqual(fee.state, "posted")
        self.assertEqual(fee.amount_total, 30)
        self.assertEqual(fee.partner_id, self.customer)
        self.assertIn(fee, plan.move_ids)
        self.assertEqual(sum(plan.installment_ids.mapped("amount")), 1030)
        self.pay(self.inv_1 | self.inv_2 | fee, 1030, self.first_day)
        self.assertEqual(plan.state, "completed")

    # ------------------------------------------------------------------
    # Payments from accounting
    # ------------------------------------------------------------------
    def test_partial_payments_across_two_invoices_fill_installments_in_order(self):
        plan = self.active_plan()
        self.pay(self.inv_1, 250, self.first_day)
        self.assertEqual(plan.amount_paid, 250)
        self.assertEqual(
            [(i.amount_paid, i.state) for i in plan.installment_ids],
            [(100, "paid"), (150, "partial"), (0, "pending"), (0, "pending")],
        )
        self.pay(self.inv_2, 400, date(2026, 5, 10))
        self.assertEqual(plan.amount_paid, 650)
        self.assertEqual(plan.amount_remaining, 350)
        self.assertEqual(
            [(i.amount_paid, i.state) for i in plan.installment_ids],
            [(100, "paid"), (300, "paid"), (250, "partial"), (0, "pending")],
        )
        self.assertEqual(plan.next_due_date, date(2026, 6, 15))
        self.assertEqual(plan.next_amount, 50)
        # a credit note reconciled with a covered invoice counts too
        refund = self.make_invoice(50, move_type="out_refund")
        refund_line = refund.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        self.inv_1.js_assign_outstanding_line(refund_line.id)
        self.assertEqual(plan.amount_paid, 700)
        self.assertEqual(plan.installment_ids[2].state, "paid")
        self.assertEqual(plan.state, "active")

    def test_completion_when_every_invoice_is_paid(self):
        plan = self.active_plan()
        self.pay(self.inv_1, 600, self.first_day)
        self.assertEqual(plan.state, "active")
        # a billing clerk without collections rights registers the last payment
        self.env["account.payment.register"].with_user(self.billing_clerk).with_context(
            active_model="account.move", active_ids=self.inv_2.ids
        ).create({"amount": 400, "payment_date": self.first_day})._create_payments()
        self.assertEqual(plan.state, "completed")
        self.assertEqual(plan.amount_paid, 1000)
        self.assertEqual(set(plan.installment_ids.mapped("state")), {"paid"})
        self.assertEqual(self.customer.ar_collection_stage_id, self.stage_current)
        self.assertIn("completed", plan.message_ids[0].body)

    def test_unreconciled_payment_reopens_a_completed_plan(self):
        """A bounced cheque: the payment that completed the plan is unreconciled (then the other
        one is reset to draft): the plan is active again, its installments follow the balances."""
        plan = self.active_plan()
        first = self.pay(self.inv_1, 600, self.first_day)
        last = self.pay(self.inv_2, 400, self.first_day)
        self.assertEqual(plan.state, "completed")
        last.move_id.line_ids.remove_move_reconcile()
        self.run_precommit()
        self.assertEqual(self.inv_2.amount_residual, 400)
        self.assertRecordValues(plan, [{"state": "active", "date_closed": False, "amount_paid": 600}])
        self.assertEqual(plan.amount_remaining, 400)
        self.assertEqual(plan.installment_ids.mapped("state")[-1], "pending")
        self.assertEqual(sum(plan.installment_ids.mapped("amount_paid")), 600)
        self.assertEqual(self.customer.ar_collection_stage_id, self.stage_plan)
        self.assertIn("unreconciled", plan.message_ids[0].body)
        # the other payment reset to draft: nothing paid any more
        first.action_draft()
        self.run_precommit()
        self.assertEqual(plan.amount_paid, 0)
        self.assertEqual(set(plan.installment_ids.mapped("state")), {"pending"})
        owed = sum((self.inv_1 | self.inv_2).mapped("amount_residual"))
        self.assertEqual(owed, 1000, "the plan's invoices owe it all again")
        # paid again: completed again
        self.pay(self.inv_1 | self.inv_2, 1000, self.first_day)
        self.assertEqual(plan.state, "completed")

    # ------------------------------------------------------------------
    # Late and broken
    # ------------------------------------------------------------------
    def test_late_installments_then_broken_plan(self):
        plan = self.active_plan()
        # within the grace period nothing is late
        self.run_cron(self.first_day + timedelta(days=5))
        self.assertEqual(plan.installment_ids[0].state, "pending")
        # after it, the down payment is late; one late installment does not break the plan
        self.pay(self.inv_1, 40, self.first_day)
        self.run_cron(self.first_day + timedelta(days=6))
        self.assertEqual(plan.installment_ids[0].state, "late")
        self.assertEqual(plan.installment_ids[0].late_since, self.first_day + timedelta(days=6))
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.late_count, 1)
        # paying it late makes it paid (and no longer counts)
        self.pay(self.inv_1, 60, self.first_day + timedelta(days=7))
        self.assertEqual(plan.installment_ids[0].state, "paid")
        self.assertEqual(plan.late_count, 0)
        # the next two are missed: the second late one breaks the plan
        self.run_cron(date(2026, 5, 21))
        self.assertEqual(plan.state, "active")
        broken = self.run_cron(date(2026, 6, 21))
        self.assertEqual(broken, plan)
        self.assertEqual(plan.state, "broken")
        self.assertIn("2 installment(s)", plan.close_reason)
        self.assertEqual(self.customer.ar_collection_stage_id, self.stage_escalated)
        activity = plan.activity_ids
        self.assertEqual(activity.user_id, self.collector)
        self.assertIn("broken", activity.summary)
        self.assertIn("broken", self.customer.message_ids[0].body)
        # follow-ups resume at the configured level (final notice), whatever was sent before
        with freeze_time(date(2026, 6, 21)):
            self.assertEqual(self.due_level(self.inv_1, date(2026, 6, 21))[0], self.level_final)
            self.assertEqual(self.due_level(self.inv_2, date(2026, 6, 21))[0], self.level_final)
            self.assertFalse(self.inv_1.ar_followup_pause_reason)

    def test_cancel_restores_followups_and_keeps_history(self):
        self.customer.ar_collection_stage_id = self.stage_reminded
        with freeze_time(self.offer_day - timedelta(days=10)):
            history = self.record_level(self.inv_1 | self.inv_2, self.level_1)
        plan = self.active_plan()
        self.assertEqual(self.customer.ar_collection_stage_id, self.stage_plan)
        plan.with_user(self.collector).action_cancel()
        self.assertEqual(plan.state, "cancelled")
        self.assertEqual(self.customer.ar_collection_stage_id, self.stage_reminded)
        self.assertTrue(history.exists())
        with freeze_time(self.offer_day):
            self.assertEqual(self.due_level(self.inv_1, self.offer_day)[0], self.level_2)
        with self.assertRaises(UserError):
            plan.action_activate()

    # ------------------------------------------------------------------
    # Follow-up batches
    # ------------------------------------------------------------------
    def test_batches_skip_covered_invoices_while_active_and_include_them_after_a_break(self):
        plan = self.active_plan()
        with freeze_time(self.offer_day):
            batch = self.env["ar.followup.batch"].with_user(self.collector).create({"date": self.offer_day})
            batch.action_preview()
        line = batch.line_ids.filtered(lambda line: line.partner_id == self.customer)
        self.assertEqual(line.move_ids, self.inv_other)
        self.assertIn(f"On payment plan {plan.name}", line.warning)
        # the daily job leaves the plan's invoices alone too
        with freeze_time(self.offer_day):
            self.env.ref("ar_collections.ir_cron_followup_automatic").method_direct_trigger()
        self.assertFalse(self.env["ar.followup.history.line"].search([("move_id", "in", plan.move_ids.ids)]))
        # the plan breaks: the next batch takes them, at the configured level
        self.run_cron(self.first_day + timedelta(days=6))
        plan.company_id.ar_payment_plan_max_missed = 1
        break_day = self.first_day + timedelta(days=7)
        self.run_cron(break_day)
        self.assertEqual(plan.state, "broken")
        with freeze_time(break_day):
            batch = self.env["ar.followup.batch"].with_user(self.collector).create({"date": break_day})
            batch.action_preview()
        line = batch.line_ids.filtered(lambda line: line.partner_id == self.customer)
        self.assertEqual(line.move_ids, self.inv_1 | self.inv_2 | self.inv_other)
        self.assertEqual(line.level_id, self.level_final)

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------
    def test_access_rights_and_companies(self):
        plan = self.offer()
        # a billing clerk without collections rights sees no plan and cannot offer one
        with self.assertRaises(AccessError):
            plan.with_user(self.billing_clerk).read(["name"])
        with self.assertRaises(AccessError):
            self.env["ar.payment.plan.wizard"].with_user(self.billing_clerk).create({"partner_id": self.customer.id})
        # a collector of another company sees none of this company's plans
        company_2 = self.setup_other_company()["company"]
        collector_2 = self.make_user("ar_collector_2", "ar_collections.group_ar_collections_user", company_2)
        self.assertFalse(self.env["ar.payment.plan"].with_user(collector_2).search([]))
        with self.assertRaises(AccessError):
            plan.with_user(collector_2).read(["name"])
        with self.assertRaises(AccessError):
            plan.installment_ids.with_user(collector_2).read(["amount"])
        # the collector works the plan; the manager may too
        plan.with_user(self.collector).action_mark_proposed()
        with freeze_time(self.offer_day):
            plan.with_user(self.manager).action_activate()
        self.assertEqual(plan.state, "active")
        # once offered, plans are a record: not deleted, invoices and amounts frozen
        with self.assertRaises(UserError):
            plan.with_user(self.manager).unlink()
        with self.assertRaises(UserError):
            plan.with_user(self.collector).write({"move_ids": [Command.unlink(self.inv_2.id)]})
