# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import ArCollectionsCommon


@tagged("post_install", "-at_install")
class TestLevelConstraints(ArCollectionsCommon):
    def test_duplicate_delay_in_a_company(self):
        with self.assertRaisesRegex(ValidationError, "'Second chance' and 'First reminder'.*7 days"):
            self.env["ar.followup.level"].create({"name": "Second chance", "delay": 7, "company_id": self.company.id})
        with self.assertRaisesRegex(ValidationError, "both fall 21 days"):
            self.level_1.delay = 21

    def test_same_delay_allowed_in_another_company_or_when_archived(self):
        other_company = self.setup_other_company()["company"]
        self.assertEqual(
            self.env["ar.followup.level"].search([("company_id", "=", other_company.id)]).mapped("delay"),
            [-3, 7, 21, 45, 60],
            "a new company gets the default ladder",
        )
        self.level_1.active = False
        level = self.env["ar.followup.level"].create({"name": "New first", "delay": 7, "company_id": self.company.id})
        self.assertEqual(level.delay, 7)
        with self.assertRaisesRegex(ValidationError, "both fall 7 days"):
            self.level_1.active = True

    def test_admin_creates_a_company_with_its_ladder(self):
        """The creator's allowed companies do not include the new one yet."""
        admin = self.make_user(
            "ar_admin",
            "base.group_system,base.group_erp_manager,base.group_partner_manager,account.group_account_manager",
        )
        company = self.env["res.company"].with_user(admin).create({"name": "Fresh Company"})
        levels = self.env["ar.followup.level"].sudo().search([("company_id", "=", company.id)])
        self.assertEqual(levels.mapped("delay"), [-3, 7, 21, 45, 60])

    def test_unsupported_search_operator_is_a_clear_error(self):
        with self.assertRaisesRegex(UserError, "does not support the operator like"):
            self.env["res.partner"].search([("ar_overdue_amount", "like", 5)])
        with self.assertRaisesRegex(UserError, "does not support the operator not in"):
            self.env["account.move"].search([("ar_aging_bucket", "not in", ["1_30"])])

    def test_email_channel_needs_a_template(self):
        with self.assertRaisesRegex(ValidationError, "'First reminder' sends an email but has no email template"):
            self.level_1.mail_template_id = False
        with self.assertRaisesRegex(ValidationError, "has no email template"):
            self.env["ar.followup.level"].create({"name": "Mail me", "delay": 90, "send_email": True})

    def test_level_days_are_bounded(self):
        cases = [
            ("min_gap_days", -1, "'First reminder': the minimum days .* between 0 and 365 days"),
            ("min_gap_days", 366, "between 0 and 365 days"),
            ("activity_delay_days", -2, "between 0 and 365 days"),
            ("activity_delay_days", 400, "between 0 and 365 days"),
            ("delay", -366, "'First reminder' falls -366 days .* between -365"),
            ("delay", 3651, "falls 3651 days .* and 3650 days"),
        ]
        for name, value, message in cases:
            with self.subTest(name=name, value=value), self.assertRaisesRegex(ValidationError, message):
                self.level_1.write({name: value})
        self.level_1.write({"min_gap_days": 0, "activity_delay_days": 365, "delay": 3650})
        self.level_friendly.delay = -365

    def test_company_settings_and_reasons_are_bounded(self):
        cases = [
            ("ar_followup_min_amount", -0.01, "follow-up tolerance is an amount of 0 or more"),
            ("ar_payment_plan_grace_days", 61, "grace periods must be 0 to 60 days"),
            ("ar_promise_grace_days", -1, "grace periods must be 0 to 60 days"),
            ("ar_payment_plan_max_missed", 0, "break after 1 to 120 late installments"),
            ("ar_payment_plan_max_missed", 121, "break after 1 to 120 late installments"),
            ("ar_credit_hold_score", 101, "between 0 and 100"),
            ("ar_credit_hold_overdue", -5, "amount 0 or more"),
        ]
        for name, value, message in cases:
            with self.subTest(name=name, value=value), self.assertRaisesRegex(ValidationError, message):
                self.company.write({name: value})
        # through the settings screen too
        settings = self.env["res.config.settings"].create({})
        with self.assertRaisesRegex(ValidationError, "grace periods must be 0 to 60 days"):
            settings.write({"ar_promise_grace_days": 90})
            settings.execute()
        reason = self.env.ref("ar_collections.ar_dispute_reason_quality")
        for days in (-1, 366):
            with self.assertRaisesRegex(ValidationError, f"'{reason.name}': the response time is 0 to 365 days"):
                reason.response_days = days

    def test_activity_needs_type_and_user(self):
        with self.assertRaisesRegex(ValidationError, "no activity type"):
            self.env["ar.followup.level"].create(
                {"name": "Call", "delay": 90, "create_activity": True, "activity_type_id": False}
            )
        with self.assertRaisesRegex(ValidationError, "choose that user"):
            self.level_2.write({"activity_assignee_rule": "user", "activity_user_id": False})

    def test_level_of_another_company_on_a_customer(self):
        other_company = self.setup_other_company()["company"]
        foreign_level = self.env["ar.followup.level"].search([("company_id", "=", other_company.id)], limit=1)
        invoice = self.make_invoice(1000)
        with self.assertRaises(UserError) as caught:  # assertRaises rolls back, as the request would
            self.env["ar.followup.history"]._record(self.customer, "email", "sent", {invoice: foreign_level})
        self.assertIn("Incompatible companies", str(caught.exception))
        self.env.invalidate_all()
        self.assertFalse(self.env["ar.followup.history.line"].search_count([("move_id", "=", invoice.id)]))

    def test_activity_assignee_rule(self):
        self.customer.ar_collector_id = self.collector
        self.assertEqual(self.level_2._get_activity_user(self.customer), self.collector)
        self.level_2.activity_assignee_rule = "salesperson"
        self.assertEqual(self.level_2._get_activity_user(self.customer), self.env.user, "falls back to the runner")
        self.customer.user_id = self.manager
        self.assertEqual(self.level_2._get_activity_user(self.customer), self.manager)
        self.level_2.write({"activity_assignee_rule": "user", "activity_user_id": self.collector.id})
        self.assertEqual(self.level_2._get_activity_user(self.customer), self.collector)

    def test_company_bound_relations_are_checked(self):
        """A level of another company cannot be the level an invoice, a company's broken plans or
        a batch line resume at; a level's activity user must work in its company."""
        other = self.setup_other_company()["company"]
        other_level = self.env["ar.followup.level"].search([("company_id", "=", other.id), ("delay", "=", 45)])
        invoice = self.make_invoice(100)
        with self.assertRaisesRegex(UserError, "Incompatible companies"):
            invoice.ar_followup_resume_level_id = other_level
        with self.assertRaisesRegex(UserError, "Incompatible companies"):
            self.company.ar_payment_plan_break_level_id = other_level
        self.company.ar_payment_plan_break_level_id = self.level_final
        outsider = self.env["res.users"].create(
            {"name": "Outsider", "login": "ar_outsider", "company_id": other.id, "company_ids": [(6, 0, other.ids)]}
        )
        with self.assertRaisesRegex(UserError, "Incompatible companies"):
            self.level_final.write({"activity_assignee_rule": "user", "activity_user_id": outsider.id})

    def test_stages_customers_are_in_or_the_addon_needs_stay(self):
        Stage = self.env["ar.collection.stage"]
        current = Stage._get_stage_of_type("current")
        legal = Stage._get_stage_of_type("legal")
        self.customer.with_company(self.company).ar_collection_stage_id = legal
        with self.assertRaisesRegex(UserError, "Customers are in the collection stage Agency / legal: move them"):
            legal.unlink()
        legal.active = False  # archiving a stage that no automation needs is fine
        with self.assertRaisesRegex(UserError, "only active stage with the role 'Current'"):
            current.active = False
        with self.assertRaisesRegex(UserError, "only active stage with the role 'Current'"):
            current.stage_type = "legal"
        spare = Stage.create({"name": "Up to date", "stage_type": "current"})
        current.active = False  # another stage plays the role now
        self.assertEqual(Stage._get_stage_of_type("current"), spare)

    def test_promise_and_plan_bounds(self):
        invoice = self.make_invoice(500)
        Promise = self.env["ar.payment.promise"]
        base = {"partner_id": self.customer.id, "move_ids": [(6, 0, invoice.ids)], "amount": 100}
        today = fields.Date.context_today(Promise)
        with self.assertRaisesRegex(ValidationError, r"more than 90 days ahead .* offer a payment plan"):
            Promise.create({**base, "promised_date": today + timedelta(days=91)})
        promise = Promise.create({**base, "promised_date": today + timedelta(days=90)})
        with self.assertRaisesRegex(ValidationError, "more than 90 days ahead"):
            promise.promised_date = today + timedelta(days=200)
        for value in (0, 400):
            with self.assertRaisesRegex(ValidationError, "a promise may be for 1 to 366 days ahead"):
                self.company.ar_promise_max_days = value
        for value in (-1,):
            with self.assertRaisesRegex(ValidationError, "grace periods must be 0 to 60 days"):
                self.company.ar_promise_grace_days = value
        Plan = self.env["ar.payment.plan"]
        plan = Plan.create(
            {"partner_id": self.customer.id, "move_ids": [(6, 0, invoice.ids)], "installment_count": 2,
             "frequency": "monthly", "first_date": today + timedelta(days=400)}
        )  # fmt: skip
        with self.assertRaisesRegex(ValidationError, r"more than 366 days ahead .* start the plan sooner"):
            plan.action_generate_schedule()
        plan.first_date = today + timedelta(days=30)
        plan.action_generate_schedule()
        self.assertEqual(len(plan.installment_ids), 2)
        first, second = plan.installment_ids
        with self.assertRaisesRegex(ValidationError, rf"Every installment of {plan.display_name} must be more than 0"):
            plan.write({"installment_ids": [(1, first.id, {"amount": 0}), (1, second.id, {"amount": 500})]})
        with self.assertRaisesRegex(ValidationError, "more than ten years after the plan.s first payment"):
            second.date_due = today + timedelta(days=11 * 366 + 1)
        for count in (0, 121):
            with self.assertRaisesRegex(ValidationError, rf"between 1 and 120 installments; it has {count}"):
                Plan._check_terms(self.company.currency_id, 500, 0, count, self.customer)
