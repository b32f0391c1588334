# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import ArCollectionsCommon


class DisputePromiseCommon(ArCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = cls.DUE + timedelta(days=25)  # 2026-03-26: second reminder (day 21) due
        cls.customer.ar_collector_id = cls.collector
        cls.inv_1 = cls.make_invoice(1000)
        cls.inv_2 = cls.make_invoice(400)
        cls.reason_quality = cls.env.ref("ar_collections.ar_dispute_reason_quality")
        cls.stage_disputed = cls.env.ref("ar_collections.ar_collection_stage_disputed")
        cls.stage_current = cls.env.ref("ar_collections.ar_collection_stage_current")

    def open_dispute(self, invoices, amount, user=None, **vals):
        """A dispute opened from the invoices' button, as a collector would."""
        user = user or self.collector
        with freeze_time(self.today):
            action = invoices.with_user(user).action_ar_open_dispute()
            form = Form(self.env[action["res_model"]].with_user(user).with_context(**action["context"]))
            form.amount = amount
            form.reason_id = self.reason_quality
            for name, value in vals.items():
                setattr(form, name, value)
            return form.save()

    def preview(self, day):
        with freeze_time(day):
            batch = self.env["ar.followup.batch"].with_user(self.collector).create({"date": day})
            batch.action_preview()
        return batch.line_ids.filtered(lambda line: line.partner_id == self.customer)


@tagged("post_install", "-at_install")
class TestDispute(DisputePromiseCommon):
    def test_open_dispute_pauses_followups_and_moves_customer(self):
        self.customer.ar_collection_stage_id = self.stage_reminded
        self.assertEqual(self.preview(self.today).move_ids, self.inv_1 | self.inv_2)
        dispute = self.open_dispute(self.inv_1, 300)
        self.assertEqual(dispute.state, "new")
        self.assertEqual(dispute.partner_id, self.customer)
        self.assertEqual(dispute.date_deadline, self.today + timedelta(days=self.reason_quality.response_days))
        # inv_2 is still overdue: the customer is not moved to Disputed
        self.assertEqual(self.customer.ar_collection_stage_id, self.stage_reminded)
        line = self.preview(self.today)
        self.assertEqual(line.move_ids, self.inv_2)
        self.assertIn("Disputed", line.warning)
        # the dunned amount leaves the disputed invoice out
        self.assertEqual(line.amount_overdue, 400)
        with freeze_time(self.today):
            self.assertIn(dispute.name, self.inv_1.ar_followup_pause_reason)
        # disputing the rest moves the customer to Disputed
        dispute_2 = self.open_dispute(self.inv_2, 400)
        self.assertEqual(self.customer.ar_collection_stage_id, self.stage_disputed)
        self.assertFalse(self.preview(self.today))
        # the statement lists the disputed invoices as such and holds them back
        with freeze_time(self.today):
            html = self.env["ir.qweb"]._render(
                "ar_collections.followup_invoice_table", {"object": self.customer, **self._template_helpers()}
            )
        self.assertIn(f"Disputed ({dispute.name})", html)
        self.assertIn(f"Disputed ({dispute_2.name})", html)
        self.assertIn("on hold", html)

    def _template_helpers(self):
        from ..report.report_customer_statement import report_helpers

        return report_helpers(self.env)

    def test_reject_resumes_followups_where_they_were(self):
        with freeze_time(self.today - timedelta(days=10)):
            self.record_level(self.inv_1 | self.inv_2, self.level_1)
        self.customer.ar_collection_stage_id = self.stage_reminded
        dispute = self.open_dispute(self.inv_1 | self.inv_2, 1400)
        self.assertEqual(self.customer.ar_collection_stage_id, self.stage_disputed)
        with self.assertRaises(UserError):
            dispute.with_user(self.collector).action_reject()  # no resolution written
        dispute.resolution = "<p>Delivery note signed by the customer.</p>"
        with freeze_time(self.today + timedelta(days=4)):
            dispute.with_user(self.collector).action_reject()
        self.assertEqual(dispute.state, "rejected")
        self.assertEqual(dispute.resolution_days, 4)
        self.assertEqual(self.customer.ar_collection_stage_id, self.stage_reminded)
        # follow-ups resume after the level already reached (first reminder): the second one
        line = self.preview(self.today + timedelta(days=4))
        self.assertEqual(line.move_ids, self.inv_1 | self.inv_2)
        self.assertEqual(line.level_id, self.level_2)

    def test_resolve_in_customers_favour_credits_the_disputed_amount(self):
        dispute = self.open_dispute(self.inv_1 | self.inv_2, 1100)
        dispute.action_investigate()
        with self.assertRaises(UserError):
            dispute.action_resolve()  # no outcome
        dispute.write({"outcome": "credit", "resolution": "<p>Damaged goods confirmed.</p>"})
        action = dispute.with_user(self.manager).action_resolve()
        self.assertEqual(action["res_model"], "account.move.reversal")
        self.assertEqual(dispute.state, "investigating", "nothing changes until the credit note exists")
        # Odoo's own reversal wizard, as the user would confirm it
        with freeze_time(self.today):
            reversal = Form(self.env["account.move.reversal"].with_user(self.manager).with_context(**action["context"]))
            reversal.save().refund_moves()
        credit_notes = dispute.credit_note_ids
        # Odoo leaves the credit notes in draft: the customer owes as much as before, so the
        # dispute stays open (and the invoices paused) until they are posted
        self.assertEqual(set(credit_notes.mapped("state")), {"draft"})
        self.assertEqual(dispute.state, "investigating")
        self.assertFalse(self.preview(self.today).move_ids)
        self.assertIn("Resolved once", dispute.message_ids[0].body)
        with self.assertRaises(UserError):
            dispute.action_resolve()  # its credit notes already wait in draft: no second reversal
        with freeze_time(self.today):
            credit_notes.action_post()
        self.assertEqual(dispute.state, "resolved")
        self.assertEqual(dispute.date_closed, self.today)
        self.assertEqual(len(credit_notes), 2)
        self.assertEqual(set(credit_notes.mapped("move_type")), {"out_refund"})
        # 1,100 disputed: the older-due first, each up to its balance (both due the same day: by id)
        by_origin = {note.reversed_entry_id: note.amount_total for note in credit_notes}
        self.assertEqual(by_origin, {self.inv_1: 1000, self.inv_2: 100})
        self.assertEqual(sum(credit_notes.mapped("amount_total")), dispute.amount)
        self.assertIn(dispute.name, credit_notes[0].message_ids[0].body)

    def test_partial_credit_of_one_invoice_with_taxes(self):
        tax = self.company_data["default_tax_sale"]
        invoice = self.make_invoice(1000, post=False)
        invoice.invoice_line_ids.tax_ids = tax
        invoice.action_post()
        dispute = self.open_dispute(invoice, 333.33)
        dispute.write({"outcome": "credit", "resolution": "<p>Price agreed was lower.</p>"})
        action = dispute.action_resolve()
        with freeze_time(self.today):
            Form(self.env["account.move.reversal"].with_context(**action["context"])).save().refund_moves()
        self.assertEqual(dispute.credit_note_ids.amount_total, 333.33)
        self.assertEqual(dispute.credit_note_ids.state, "draft")

    def owed(self):
        """What the customer owes: its posted receivable items, net."""
        lines = self.env["account.move.line"].search(
            [
                ("partner_id", "=", self.customer.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
            ]
        )
        return self.company.currency_id.round(sum(lines.mapped("amount_residual")))

    def resolve_with(self, button):
        """A dispute of 1,300 over an untaxed 1,000 and a taxed 1,150 invoice (1,000 + 15 %),
        resolved in the customer's favour with one button of Odoo's reversal wizard; what it
        made is then posted, as the accountant would."""
        taxed = self.make_invoice(1000, post=False)
        taxed.invoice_line_ids.tax_ids = self.company_data["default_tax_sale"]
        taxed.action_post()
        self.assertEqual(taxed.amount_total, 1150)
        owed = self.owed()
        dispute = self.open_dispute(self.inv_1 | taxed, 1300)
        dispute.write({"outcome": "credit", "resolution": "<p>Goods damaged in transit.</p>"})
        action = dispute.with_user(self.manager).action_resolve()
        with freeze_time(self.today):
            wizard = Form(self.env["account.move.reversal"].with_user(self.manager).with_context(**action["context"]))
            getattr(wizard.save(), button)()
        self.assertIn(dispute.state, ("new", "investigating"), "resolved once what it made is posted")
        (dispute.credit_note_ids | dispute.replacement_invoice_ids).filtered(lambda m: m.state == "draft").action_post()
        self.assertEqual(dispute.state, "resolved")
        self.assertEqual(self.owed(), owed - 1300, "the customer owes exactly the disputed amount less")
        return dispute, taxed

    def test_resolve_with_reverse(self):
        dispute, taxed = self.resolve_with("refund_moves")
        # the older invoice first (same due date: by id): 1,000 of inv_1, then 300 of the taxed one
        credited = {note.reversed_entry_id: note.amount_total for note in dispute.credit_note_ids}
        self.assertEqual(credited, {self.inv_1: 1000, taxed: 300})
        self.assertFalse(dispute.replacement_invoice_ids)
        self.assertEqual(taxed.amount_residual, 850)

    def test_resolve_with_reverse_and_create_invoice(self):
        dispute, taxed = self.resolve_with("modify_moves")
        # the full credit notes are kept, posted and reconciled by Odoo with the invoices
        credited = {note.reversed_entry_id: note.amount_total for note in dispute.credit_note_ids}
        self.assertEqual(credited, {self.inv_1: 1000, taxed: 1150})
        self.assertEqual(set(dispute.credit_note_ids.mapped("state")), {"posted"})
        self.assertEqual((self.inv_1 | taxed).mapped("payment_state"), ["reversed", "reversed"])
        # inv_1 is credited in full: its new invoice would be 0 and is not kept; the taxed one is
        # replaced by an invoice of 1,150 - 300, taxes included
        replacement = dispute.replacement_invoice_ids
        self.assertEqual(len(replacement), 1)
        self.assertEqual(replacement.move_type, "out_invoice")
        self.assertEqual(replacement.amount_total, 850)
        self.assertEqual(replacement.amount_tax, replacement.currency_id.round(replacement.amount_untaxed * 0.15))
        self.assertEqual(replacement.amount_residual, 850)
        self.assertIn(dispute.name, replacement.message_ids[0].body)

    def test_a_later_reversal_in_the_same_context_is_not_the_dispute_s(self):
        """The dispute's key may ride along in the context of what its reversal opened: reversing
        the credit note it made reverses it in full and leaves the dispute as it is."""
        dispute, _taxed = self.resolve_with("refund_moves")
        credit_note = dispute.credit_note_ids.filtered(lambda m: m.reversed_entry_id == self.inv_1)
        context = {"active_model": "account.move", "active_ids": credit_note.ids, "ar_dispute_id": dispute.id}
        with freeze_time(self.today):
            wizard = Form(self.env["account.move.reversal"].with_context(**context)).save()
            wizard.refund_moves()
        self.assertEqual(wizard.new_move_ids.amount_total, credit_note.amount_total)
        self.assertNotIn(wizard.new_move_ids, dispute.credit_note_ids)

    def test_resolve_with_reverse_and_create_invoice_partly(self):
        """A 250 dispute of a 1,000 invoice with "Reverse and Create Invoice": a 750 invoice."""
        owed = self.owed()
        dispute = self.open_dispute(self.inv_1, 250)
        dispute.write({"outcome": "credit", "resolution": "<p>Price agreed was lower.</p>"})
        action = dispute.action_resolve()
        with freeze_time(self.today):
            Form(self.env["account.move.reversal"].with_context(**action["context"])).save().modify_moves()
        self.assertEqual(dispute.replacement_invoice_ids.amount_total, 750)
        dispute.replacement_invoice_ids.action_post()
        self.assertEqual(self.owed(), owed - 250)

    def resolve_dispute(self, invoices, amount, button="refund_moves", day=None, **wizard_vals):
        """Open a dispute of ``amount`` on ``invoices`` and confirm Odoo's reversal wizard with ``button``."""
        dispute = self.open_dispute(invoices, amount)
        dispute.write({"outcome": "credit", "resolution": "<p>Agreed.</p>"})
        action = dispute.action_resolve()
        with freeze_time(day or self.today):
            wizard = Form(self.env["account.move.reversal"].with_context(**action["context"]))
            for name, value in wizard_vals.items():
                setattr(wizard, name, value)
            getattr(wizard.save(), button)()
        return dispute

    def test_future_dated_reverse_resolves_when_odoo_posts_the_credit_note(self):
        later = self.today + timedelta(days=10)
        dispute = self.resolve_dispute(self.inv_1, 300, date=later)
        credit_note = dispute.credit_note_ids
        self.assertEqual(
            (credit_note.state, credit_note.auto_post, credit_note.amount_total), ("draft", "at_date", 300)
        )
        self.assertEqual(dispute.state, "new")
        with freeze_time(later):
            self.env["account.move"]._autopost_draft_entries()
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(dispute.state, "resolved")
        self.assertEqual(self.inv_1.amount_residual, 700)

    def test_reverse_and_create_dated_in_the_future_is_refused(self):
        owed = self.owed()
        with self.assertRaisesRegex(UserError, "Date the reversal today or earlier"):
            self.resolve_dispute(self.inv_1, 300, "modify_moves", date=self.today + timedelta(days=10))
        self.assertFalse(self.env["account.move"].search([("reversed_entry_id", "=", self.inv_1.id)]))
        self.assertEqual(self.owed(), owed)

    def test_reverse_and_create_refused_while_a_promise_or_plan_covers_the_invoice(self):
        with freeze_time(self.today):
            promise = self.env["ar.payment.promise"].create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(self.inv_1.ids)],
                    "amount": 500,
                    "promised_date": self.today + timedelta(days=5),
                }
            )
        with self.assertRaisesRegex(UserError, promise.display_name):
            self.resolve_dispute(self.inv_1, 300, "modify_moves")
        self.assertEqual(promise.state, "open")
        self.assertEqual(self.inv_1.payment_state, "not_paid")
        # 'Reverse' credits the disputed amount only: the promise goes on
        dispute = self.env["ar.dispute"].search([("move_ids", "=", self.inv_1.id)])
        action = dispute.action_resolve()
        with freeze_time(self.today):
            Form(self.env["account.move.reversal"].with_context(**action["context"])).save().refund_moves()
            dispute.credit_note_ids.action_post()
        self.assertEqual((dispute.state, promise.state, self.inv_1.amount_residual), ("resolved", "open", 700))

    def test_reverse_and_create_of_a_partly_paid_invoice_applies_the_payment_again(self):
        """1,000 invoiced, 400 paid, 200 disputed: Odoo takes the payment off to reverse the
        invoice in full; posting the 800 replacement applies the 400 to it: 400 left to pay."""
        payment = self.pay(self.inv_1, 400, self.today)
        owed = self.owed()
        dispute = self.resolve_dispute(self.inv_1, 200, "modify_moves")
        replacement = dispute.replacement_invoice_ids
        self.assertEqual((replacement.amount_total, replacement.state), (800, "draft"))
        payment_line = payment.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertFalse(payment_line.reconciled, "Odoo took the payment off the reversed invoice")
        with freeze_time(self.today):
            replacement.action_post()
        self.assertTrue(payment_line.reconciled)
        self.assertEqual(replacement.amount_residual, 400)
        self.assertEqual(replacement.payment_state, "partial")
        self.assertEqual(self.owed(), owed - 200)
        self.assertEqual(dispute.state, "resolved")

    def test_credit_note_reset_to_draft_reopens_the_dispute(self):
        dispute = self.resolve_dispute(self.inv_1, 300)
        credit_note = dispute.credit_note_ids
        with freeze_time(self.today):
            credit_note.action_post()
        self.assertEqual(dispute.state, "resolved")
        with freeze_time(self.today + timedelta(days=1)):
            credit_note.button_draft()
        self.assertEqual((dispute.state, dispute.date_closed), ("investigating", False))
        self.assertTrue(dispute.message_ids.filtered(lambda m: "Reopened" in (m.body or "")))
        self.assertIn(self.inv_1.id, self.inv_1._ar_get_followup_pauses())
        self.assertEqual(self.inv_1.amount_residual, 1000)
        with self.assertUndone(UserError, "made to resolve dispute"):
            credit_note.unlink()
        with self.assertRaisesRegex(UserError, "has credit documents"):
            dispute.action_reject()
        # cancelled instead of posted again: nothing was credited, the dispute waits for a decision
        with freeze_time(self.today + timedelta(days=1)):
            credit_note.button_cancel()
        self.assertEqual(dispute.state, "investigating")
        # and it can be decided otherwise
        dispute.outcome = "settled"
        dispute.action_resolve()
        self.assertEqual(dispute.state, "resolved")

    def test_one_of_two_credit_notes_undone_credits_no_more_than_disputed(self):
        """1,300 disputed over 1,000 and 400 (credited 1,000 and 300): one credit note reset to draft
        and cancelled reopens the dispute; no second reversal while the other stands; with both
        cancelled, a new reversal credits 1,300 again, not 1,300 more."""
        owed = self.owed()
        dispute = self.resolve_dispute(self.inv_1 | self.inv_2, 1300)
        first, second = dispute.credit_note_ids.sorted(lambda m: m.reversed_entry_id.id)
        with freeze_time(self.today):
            (first | second).action_post()
        self.assertEqual((dispute.state, self.owed()), ("resolved", owed - 1300))
        with freeze_time(self.today):
            second.button_cancel()  # Odoo resets it to draft first
        self.assertEqual(second.state, "cancel")
        self.assertEqual(dispute.state, "investigating", "300 of the 1,300 is no longer credited")
        with self.assertRaisesRegex(UserError, "already has its documents"):
            dispute.action_resolve()
        with freeze_time(self.today):
            first.button_cancel()
        self.assertEqual(self.owed(), owed)
        action = dispute.action_resolve()
        with freeze_time(self.today):
            Form(self.env["account.move.reversal"].with_context(**action["context"])).save().refund_moves()
            dispute.credit_note_ids.action_post()
        self.assertEqual(len(dispute.credit_note_ids), 2, "the cancelled ones are no longer the dispute's")
        self.assertEqual((dispute.state, self.owed()), ("resolved", owed - 1300))

    def test_replacement_cancelled_reopens_the_dispute(self):
        owed = self.owed()
        dispute = self.resolve_dispute(self.inv_1, 250, "modify_moves")
        replacement = dispute.replacement_invoice_ids
        with self.assertUndone(UserError, "made to resolve dispute"):
            replacement.unlink()
        with self.assertRaisesRegex(UserError, "has credit documents"):
            dispute.action_cancel()
        with freeze_time(self.today):
            replacement.action_post()
        self.assertEqual((dispute.state, self.owed()), ("resolved", owed - 250))
        with freeze_time(self.today):
            replacement.button_cancel()
        self.assertEqual(self.owed(), owed - 1000, "the invoice is credited in full and not billed again")
        self.assertEqual(dispute.state, "investigating", "the customer owes 750 less than it should")
        self.assertIn(self.inv_1.id, self.inv_1._ar_get_followup_pauses())

    def test_payments_go_to_the_replacement_of_the_invoice_they_paid(self):
        """inv_1 (1,000) paid 900 and inv_2 (400) unpaid, 150 disputed (100 of inv_1, 50 of inv_2):
        the 900 goes to inv_1's replacement, whichever is posted first."""
        payment = self.pay(self.inv_1, 900, self.today)
        owed = self.owed()
        dispute = self.resolve_dispute(self.inv_1 | self.inv_2, 150, "modify_moves")
        replacements = dispute.replacement_invoice_ids.sorted("amount_total")
        self.assertEqual(replacements.mapped("amount_total"), [350, 900])
        of_inv_2, of_inv_1 = replacements
        with freeze_time(self.today):
            of_inv_2.action_post()
            self.assertEqual(of_inv_2.amount_residual, 350)
            of_inv_1.action_post()
        self.assertEqual(of_inv_1.payment_state, "paid")
        receivable = payment.move_id.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        self.assertTrue(receivable.reconciled)
        self.assertEqual(self.owed(), owed - 150)

    def test_credit_note_of_any_quantity_discount_and_tax_is_the_disputed_amount_to_the_cent(self):
        tax = self.company_data["default_tax_sale"]
        invoice = self.make_invoice(0, post=False)
        invoice.invoice_line_ids = [
            Command.clear(),
            Command.create({"name": "Boxes", "quantity": 3, "price_unit": 97.13, "discount": 7.5, "tax_ids": tax.ids}),
            Command.create({"name": "Pallets", "quantity": 7, "price_unit": 13.37, "discount": 12, "tax_ids": tax.ids}),
        ]
        invoice.action_post()
        for amount in (100.01, 123.45, 1.07, 299.99):
            with self.subTest(amount=amount):
                dispute = self.resolve_dispute(invoice, amount)
                credit_note = dispute.credit_note_ids
                self.assertEqual(credit_note.amount_total, amount)
                products = credit_note.invoice_line_ids.filtered(lambda line: line.tax_ids)
                # quantities and discounts are the invoice's, the taxes those of the amounts credited
                self.assertEqual(products.mapped("quantity"), [3, 7])
                self.assertEqual(products.mapped("discount"), [7.5, 12])
                self.assertAlmostEqual(
                    credit_note.amount_tax, sum(products.mapped("price_subtotal")) * 0.15, delta=0.02
                )
                rounding = credit_note.invoice_line_ids - products
                self.assertLessEqual(abs(sum(rounding.mapped("price_total"))), 0.02)
                credit_note.button_cancel()
                dispute.action_cancel()

    def test_fixed_taxes_left_for_the_accountant_to_adjust(self):
        """A fixed tax per unit does not scale with the price: what a few cents cannot make up is
        said on the dispute, not hidden in an untaxed line."""
        fixed = self.env["account.tax"].create(
            {"name": "Eco fee", "amount_type": "fixed", "amount": 5, "type_tax_use": "sale"}
        )
        invoice = self.make_invoice(0, post=False)
        invoice.invoice_line_ids = [
            Command.clear(),
            Command.create({"name": "Tyres", "quantity": 100, "price_unit": 1, "tax_ids": fixed.ids}),
        ]
        invoice.action_post()
        self.assertEqual(invoice.amount_total, 600)
        dispute = self.resolve_dispute(invoice, 300)
        credit_note = dispute.credit_note_ids
        # 300 is 50 tyres (50 + 250 of fee), not any price of 100: no untaxed line makes it up
        self.assertFalse(credit_note.invoice_line_ids.filtered(lambda line: not line.tax_ids))
        self.assertNotEqual(credit_note.amount_total, 300)
        self.assertTrue(dispute.message_ids.filtered(lambda m: "adjust its lines before posting it" in m.body))
        self.assertEqual(dispute.state, "new", "resolved when the accountant posts the adjusted credit note")
        credit_note.invoice_line_ids = [
            Command.update(credit_note.invoice_line_ids.id, {"quantity": 50, "price_unit": 1})
        ]
        with freeze_time(self.today):
            credit_note.action_post()
        self.assertEqual((credit_note.amount_total, dispute.state, invoice.amount_residual), (300, "resolved", 300))

    def test_bad_input(self):
        other = self.env["res.partner"].create({"name": "Other Ltd", "is_company": True})
        other_invoice = self.make_invoice(100, partner=other)
        Dispute = self.env["ar.dispute"].with_user(self.collector)
        base = {"partner_id": self.customer.id, "reason_id": self.reason_quality.id}
        cases = {
            "above the residual": {"move_ids": [Command.set(self.inv_2.ids)], "amount": 400.01},
            "zero": {"move_ids": [Command.set(self.inv_2.ids)], "amount": 0},
            "negative": {"move_ids": [Command.set(self.inv_2.ids)], "amount": -5},
            "another customer's invoice": {"move_ids": [Command.set((self.inv_2 | other_invoice).ids)], "amount": 10},
        }
        for label, vals in cases.items():
            with self.subTest(label), self.assertRaises(ValidationError):
                Dispute.create({**base, **vals})
        self.assertFalse(self.env["ar.dispute"].search([]))
        dispute = self.open_dispute(self.inv_2, 100)
        dispute.outcome = "settled"
        with self.assertRaises(UserError):
            dispute.action_resolve()  # an outcome without a resolution
        self.assertEqual(dispute.state, "new")
        with self.assertRaises(UserError):
            dispute.unlink()

    def test_deadline_raises_one_activity_for_the_owner(self):
        dispute = self.open_dispute(self.inv_1, 100, user_id=self.manager)
        deadline = dispute.date_deadline
        with freeze_time(deadline):
            self.assertFalse(self.env["ar.dispute"]._cron_dispute_deadlines())
        with freeze_time(deadline + timedelta(days=1)):
            self.assertEqual(self.env["ar.dispute"]._cron_dispute_deadlines(), dispute)
            self.assertFalse(self.env["ar.dispute"]._cron_dispute_deadlines(), "once per deadline")
        self.assertEqual(dispute.activity_ids.user_id, self.manager)
        self.assertIn("deadline", dispute.activity_ids.summary)
        # a new deadline that passes raises a new activity
        dispute.date_deadline = deadline + timedelta(days=5)
        with freeze_time(deadline + timedelta(days=6)):
            self.assertEqual(self.env["ar.dispute"]._cron_dispute_deadlines(), dispute)
        self.assertEqual(len(dispute.activity_ids), 2)

    def test_customer_statistics(self):
        first = self.open_dispute(self.inv_1, 100)
        self.open_dispute(self.inv_2, 50)
        first.resolution = "<p>No fault found.</p>"
        with freeze_time(self.today + timedelta(days=6)):
            first.action_reject()
        self.assertEqual(self.customer.ar_dispute_count, 2)
        self.assertEqual(self.customer.ar_dispute_open_count, 1)
        self.assertEqual(self.customer.ar_dispute_avg_days, 6)

    def test_access_and_companies(self):
        dispute = self.open_dispute(self.inv_1, 100)
        with self.assertRaises(AccessError):
            dispute.with_user(self.billing_clerk).read(["name"])
        company_2 = self.setup_other_company()["company"]
        collector_2 = self.make_user("ar_collector_2", "ar_collections.group_ar_collections_user", company_2)
        self.assertFalse(self.env["ar.dispute"].with_user(collector_2).search([]))
        with self.assertRaises(AccessError):
            dispute.with_user(collector_2).read(["name"])
        # a dispute of a company the reader does not select still pauses its invoices
        env_2 = self.env(user=collector_2)
        self.assertIn(self.inv_1.id, env_2["account.move"].browse(self.inv_1.ids)._ar_get_followup_pauses())


@tagged("post_install", "-at_install")
class TestPaymentPromise(DisputePromiseCommon):
    def promise(self, invoices, amount, promised, **vals):
        with freeze_time(self.today):
            return (
                self.env["ar.payment.promise"]
                .with_user(self.collector)
                .create(
                    {
                        "partner_id": self.customer.id,
                        "move_ids": [Command.set(invoices.ids)],
                        "amount": amount,
                        "promised_date": promised,
                        **vals,
                    }
                )
            )

    def settle(self, day):
        with freeze_time(day):
            return self.env["ar.payment.promise"]._cron_settle_promises()

    def test_log_call_records_a_promise_that_pauses_followups(self):
        promised = self.today + timedelta(days=7)
        with freeze_time(self.today):
            action = self.inv_1.with_user(self.collector).action_ar_log_call()
            form = Form(self.env[action["res_model"]].with_user(self.collector).with_context(**action["context"]))
            form.outcome = "reached"
            form.promise = True
            self.assertEqual(form.promise_amount, 1000)
            form.promise_date = promised
            form.promise_amount = 600
            form.save().action_log()
        promise = self.env["ar.payment.promise"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual((promise.state, promise.amount, promise.channel), ("open", 600, "call"))
        self.assertEqual(promise.move_ids, self.inv_1)
        self.assertEqual(promise.amount_initial, 1000)
        self.assertEqual(self.customer.ar_history_ids[0].channel, "call")
        # paused until the promised date plus the grace period (2 days), in batches too
        self.assertEqual(self.preview(self.today).move_ids, self.inv_2)
        self.assertEqual(self.preview(promised + timedelta(days=2)).move_ids, self.inv_2)
        # the grace period over and the promise broken by the job, follow-ups resume
        self.settle(promised + timedelta(days=3))
        self.assertEqual(promise.state, "broken")
        self.assertEqual(self.preview(promised + timedelta(days=3)).move_ids, self.inv_1 | self.inv_2)

    def test_kept_when_paid_by_the_date(self):
        promise = self.promise(self.inv_1 | self.inv_2, 500, self.today + timedelta(days=5))
        self.pay(self.inv_2, 300, self.today + timedelta(days=1))
        self.assertEqual(promise.state, "open")
        self.assertEqual(promise.amount_paid, 300)
        with freeze_time(self.today + timedelta(days=3)):
            self.pay(self.inv_1, 200, self.today + timedelta(days=3))
        self.assertEqual(promise.state, "kept", "kept as soon as the payment is reconciled")
        self.assertEqual(promise.date_settled, self.today + timedelta(days=3))
        # the job leaves it kept; follow-ups resume for what is still open
        _kept, broken = self.settle(self.today + timedelta(days=8))
        self.assertFalse(broken)
        self.assertEqual(promise.state, "kept")

    def test_unreconciled_payment_reopens_a_kept_promise(self):
        promised = self.today + timedelta(days=5)
        promise = self.promise(self.inv_1, 500, promised)
        payment = self.pay(self.inv_1, 500, self.today)
        self.assertEqual(promise.state, "kept")
        # the cheque bounces before the promised date: open again, paused again
        with freeze_time(self.today + timedelta(days=1)):
            payment.move_id.line_ids.remove_move_reconcile()
            self.run_precommit()
        self.assertRecordValues(promise, [{"state": "open", "date_settled": False, "amount_paid": 0}])
        self.assertIn("unreconciled", promise.message_ids[0].body)
        self.assertEqual(self.preview(self.today + timedelta(days=1)).move_ids, self.inv_2)
        # kept again by a new payment; bounced after the date and its grace: broken at once
        payment = self.pay(self.inv_1, 500, self.today + timedelta(days=2))
        self.assertEqual(promise.state, "kept")
        with freeze_time(promised + timedelta(days=3)):
            payment.action_draft()
            self.run_precommit()
        self.assertEqual(promise.state, "broken")
        self.assertTrue(promise.activity_ids.filtered(lambda a: "Broken promise" in a.summary))

    def test_unreconciled_payment_of_one_of_two_paid_invoices(self):
        """A promise over two invoices, both paid: one payment bounces, the other invoice stays
        paid; the unreconcile goes through and the promise is open again."""
        promise = self.promise(self.inv_1 | self.inv_2, 1400, self.today + timedelta(days=5))
        first = self.pay(self.inv_1, 1000, self.today)
        self.pay(self.inv_2, 400, self.today)
        self.assertEqual(promise.state, "kept")
        with freeze_time(self.today + timedelta(days=1)):
            first.move_id.line_ids.remove_move_reconcile()
            self.run_precommit()
        self.assertEqual((promise.state, promise.amount_paid), ("open", 400))

    def test_reverse_and_create_invoice_does_not_reopen_a_kept_promise(self):
        """Odoo unreconciles and reconciles again inside a reversal: nothing is reopened."""
        promise = self.promise(self.inv_2, 400, self.today + timedelta(days=5))
        self.pay(self.inv_2, 400, self.today)
        self.assertEqual(promise.state, "kept")
        with freeze_time(self.today + timedelta(days=30)):
            Form(
                self.env["account.move.reversal"].with_context(active_model="account.move", active_ids=self.inv_2.ids)
            ).save().modify_moves()
            self.run_precommit()
        self.assertEqual(promise.state, "kept")

    def test_broken_when_underpaid_after_grace_creates_activity_and_next_level(self):
        with freeze_time(self.today - timedelta(days=10)):
            self.record_level(self.inv_1, self.level_1)
        promised = self.today + timedelta(days=5)
        promise = self.promise(self.inv_1, 800, promised)
        self.pay(self.inv_1, 500, promised)
        _kept, broken = self.settle(promised + timedelta(days=2))
        self.assertFalse(broken, "still within the grace period")
        _kept, broken = self.settle(promised + timedelta(days=3))
        self.assertEqual(broken, promise)
        self.assertEqual(promise.state, "broken")
        activity = promise.activity_ids.filtered(lambda a: "Broken promise" in a.summary)
        self.assertEqual(activity.user_id, self.collector)
        self.assertIn("500.00", self.customer.message_ids[0].body)
        # next level at once (the company setting is on by default): second reminder
        self.assertEqual(self.inv_1.ar_followup_resume_level_id, self.level_2)
        self.assertEqual(self.due_level(self.inv_1, promised + timedelta(days=3))[0], self.level_2)
        # statistics: one promise made, none kept
        self.assertEqual(self.customer.ar_promise_count, 1)
        self.assertEqual(self.customer.ar_promise_kept_ratio, 0.0)

    def test_next_level_setting_off_resumes_with_the_usual_rule(self):
        self.company.ar_promise_broken_next_level = False
        promised = self.today + timedelta(days=5)
        promise = self.promise(self.inv_1, 800, promised)
        self.settle(promised + timedelta(days=3))
        self.assertEqual(promise.state, "broken")
        self.assertFalse(self.inv_1.ar_followup_resume_level_id)

    def test_kept_ratio(self):
        kept = self.promise(self.inv_1, 100, self.today + timedelta(days=3))
        self.promise(self.inv_2, 100, self.today + timedelta(days=3))
        self.pay(self.inv_1, 100, self.today)
        self.settle(self.today + timedelta(days=10))
        self.assertEqual(kept.state, "kept")
        self.assertEqual(self.customer.ar_promise_count, 2)
        self.assertEqual(self.customer.ar_promise_kept_ratio, 0.5)

    def test_bad_input(self):
        other = self.env["res.partner"].create({"name": "Other Ltd", "is_company": True})
        other_invoice = self.make_invoice(100, partner=other)
        paid = self.make_invoice(50)
        self.pay(paid, 50, self.DUE)
        cases = {
            "date in the past": (self.inv_1, 100, self.today - timedelta(days=1)),
            "paid invoice": (paid, 10, self.today + timedelta(days=3)),
            "another customer's invoice": (self.inv_1 | other_invoice, 100, self.today + timedelta(days=3)),
            "zero amount": (self.inv_1, 0, self.today + timedelta(days=3)),
            "more than owed": (self.inv_1, 1000.01, self.today + timedelta(days=3)),
        }
        for label, (invoices, amount, promised) in cases.items():
            with self.subTest(label), self.assertRaises(ValidationError):
                self.promise(invoices, amount, promised)
        self.assertFalse(self.env["ar.payment.promise"].search([]))
        self.promise(self.inv_1, 100, self.today + timedelta(days=3))
        with self.assertRaises(ValidationError):
            self.promise(self.inv_1 | self.inv_2, 100, self.today + timedelta(days=4))
        self.assertEqual(self.env["ar.payment.promise"].search_count([]), 1)

    def test_access_and_companies(self):
        promise = self.promise(self.inv_1, 100, self.today + timedelta(days=3))
        with self.assertRaises(AccessError):
            promise.with_user(self.billing_clerk).read(["name"])
        company_2 = self.setup_other_company()["company"]
        collector_2 = self.make_user("ar_collector_2", "ar_collections.group_ar_collections_user", company_2)
        self.assertFalse(self.env["ar.payment.promise"].with_user(collector_2).search([]))
        # a billing clerk registering the payment keeps the promise without collections rights
        self.env["account.payment.register"].with_user(self.billing_clerk).with_context(
            active_model="account.move", active_ids=self.inv_1.ids
        ).create({"amount": 100, "payment_date": self.today})._create_payments()
        self.assertEqual(promise.state, "kept")
