# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import ArCollectionsCommon


@tagged("post_install", "-at_install")
class TestInvoiceActions(ArCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ap_contact = cls.env["res.partner"].create(
            {"name": "Jane Payables", "parent_id": cls.customer.id, "type": "invoice", "email": "jane@acme.example.com"}
        )
        cls.invoice = cls.make_invoice(1000)
        cls.older = cls.make_invoice(400, due=cls.DUE - timedelta(days=20))
        cls.call_type = cls.env.ref("ar_collections.mail_activity_type_collection_call")

    def send_reminder(self, invoice, user):
        action = invoice.with_user(user).action_ar_send_reminder()
        composer = Form(self.env["mail.compose.message"].with_user(user).with_context(**action["context"]))
        return action, composer.save()

    def test_send_reminder_prefills_template_and_records_history(self):
        credit_note = self.make_invoice(150, move_type="out_refund")
        payment = self.env["account.payment"].create(
            {"amount": 50, "payment_type": "inbound", "partner_type": "customer", "partner_id": self.customer.id}
        )
        payment.action_post()
        with freeze_time(self.DUE + timedelta(days=8)):
            action, composer = self.send_reminder(self.invoice, self.collector)
            # the statement lists every open item and adds up: 1000 + 400 - 150 - 50
            body = str(composer.body).replace("&nbsp;", " ").replace("\ufeff", "")
            for text in (credit_note.name, "$ 1,000.00", "$ 400.00", "$ -150.00", "not yet allocated", "$ -50.00"):
                self.assertIn(text, body)
            self.assertRegex(body, r"Total due</strong></td>\s*<td[^>]*>\s*<strong>\$ 1,200.00")
            self.assertEqual(action["res_model"], "mail.compose.message")
            self.assertEqual(composer.template_id, self.level_2.mail_template_id)
            self.assertIn(self.company.name, composer.subject)
            self.assertIn(self.invoice.name, composer.body)
            self.assertIn(self.older.name, composer.body)
            self.assertEqual(composer.partner_ids, self.ap_contact)  # the invoice address contact
            composer.with_user(self.collector).action_send_mail()
        message = self.customer.message_ids.filtered(lambda m: m.message_type == "comment")[:1]
        self.assertEqual(message.subject, composer.subject)
        mails = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        self.assertTrue(mails, "the reminder is queued for sending")
        self.assertEqual(mails.recipient_ids, self.ap_contact)
        history = self.customer.ar_history_ids
        self.assertRecordValues(
            history,
            [{"channel": "email", "outcome": "sent", "mail_message_id": message.id, "user_id": self.collector.id}],
        )
        self.assertEqual(self.invoice.ar_followup_level_id, self.level_1)
        self.assertEqual(self.older.ar_followup_level_id, self.level_2)
        self.assertEqual(history.level_id, self.level_2)
        self.assertEqual(self.customer.ar_collection_stage_id, self.stage_reminded)

    def test_second_manual_reminder_applies_no_level_twice(self):
        with freeze_time(self.DUE + timedelta(days=8)):
            _action, composer = self.send_reminder(self.invoice, self.collector)
            composer.action_send_mail()
            _action, composer = self.send_reminder(self.invoice, self.collector)
            # nothing is due any more: the reminder reuses the level reached, applies none
            self.assertEqual(composer.template_id, self.level_2.mail_template_id)
            composer.action_send_mail()
        second = self.customer.ar_history_ids.sorted("id")[-1]
        self.assertFalse(second.level_id)
        self.assertFalse(second.line_ids.level_id)
        self.assertEqual(set(second.line_ids.move_id.ids), {self.invoice.id, self.older.id})

    def test_manual_reminder_of_a_level_already_sent_is_refused(self):
        """Sending by hand, through email, a level the invoice already had by email: a clear
        error naming the invoice and the level, and nothing sent or recorded."""
        with freeze_time(self.DUE + timedelta(days=8)):
            self.record_level(self.invoice | self.older, self.level_1)
        with freeze_time(self.DUE + timedelta(days=50)):  # the final notice is due now
            _action, composer = self.send_reminder(self.invoice, self.collector)
            composer.template_id = self.level_1.mail_template_id  # the first reminder, again
            messages = self.customer.message_ids
            with self.assertRaisesRegex(
                UserError, rf"{self.invoice.name} at level {self.level_1.name}.*: already sent through Email"
            ):
                composer.action_send_mail()
        self.assertEqual(self.customer.message_ids, messages, "nothing posted")
        self.assertEqual(len(self.customer.ar_history_ids), 1)

    def test_manual_reminder_lists_an_invoice_that_had_the_level_without_repeating_it(self):
        """The first reminder sent by hand for a new invoice also lists an older one that had it
        already: it goes out, the older one records no level."""
        with freeze_time(self.DUE - timedelta(days=12)):
            self.record_level(self.older, self.level_1)
        with freeze_time(self.DUE + timedelta(days=8)):
            _action, composer = self.send_reminder(self.invoice, self.collector)
            composer.template_id = self.level_1.mail_template_id
            composer.action_send_mail()
        sent = self.customer.ar_history_ids.sorted("id")[-1]
        levels = {line.move_id: line.level_id for line in sent.line_ids}
        self.assertEqual(levels, {self.invoice: self.level_1, self.older: self.env["ar.followup.level"]})

    def test_reminder_in_customer_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        template = self.level_2.mail_template_id
        template.update_field_translations("subject", {"fr_FR": "{{ object.ar_company_id.name }} : relance"})
        self.customer.lang = "fr_FR"
        with freeze_time(self.DUE + timedelta(days=8)):
            _action, composer = self.send_reminder(self.invoice, self.collector)
        self.assertEqual(composer.subject, f"{self.company.name} : relance")

    def test_reminder_uses_shipped_french_translation(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["ar_collections"], ["fr_FR"], overwrite=True)
        self.customer.lang = "fr_FR"
        with freeze_time(self.DUE + timedelta(days=8)):
            _action, composer = self.send_reminder(self.invoice, self.collector)
        self.assertEqual(composer.subject, f"{self.company.name} : deuxième rappel, paiement en retard")
        for text in ("Bonjour Jane Payables", "Jours de retard", "Total dû", "Dont échu", "Bien cordialement"):
            self.assertIn(text, composer.body)

    def test_send_reminder_needs_a_template(self):
        self.levels.write({"send_email": False})
        self.levels.write({"mail_template_id": False})
        with self.assertRaisesRegex(UserError, "email template"):
            self.invoice.with_user(self.collector).action_ar_send_reminder()

    def test_send_reminder_for_one_customer_only(self):
        other = self.env["res.partner"].create({"name": "Other", "is_company": True})
        other_invoice = self.make_invoice(10, partner=other)
        with self.assertRaisesRegex(UserError, "one customer"):
            (self.invoice | other_invoice).with_user(self.collector).action_ar_send_reminder()
        with self.assertRaisesRegex(UserError, "posted customer invoices"):
            self.make_invoice(10, post=False).with_user(self.collector).action_ar_send_reminder()

    def test_log_call_records_outcome_and_closes_call_task(self):
        self.customer.activity_schedule("ar_collections.mail_activity_type_collection_call", user_id=self.collector.id)
        colleagues_call = self.customer.activity_schedule(
            "ar_collections.mail_activity_type_collection_call", user_id=self.manager.id
        )
        action = self.invoice.with_user(self.collector).action_ar_log_call()
        with freeze_time(self.DUE + timedelta(days=10)):
            wizard = Form(self.env[action["res_model"]].with_user(self.collector).with_context(**action["context"]))
            wizard.outcome = "reached"
            wizard.note = "<p>Will pay on Friday</p>"
            wizard.next_call_date = self.DUE + timedelta(days=14)
            wizard.save().action_log()
        history = self.customer.ar_history_ids
        self.assertRecordValues(history, [{"channel": "call", "outcome": "reached", "level_id": False}])
        self.assertEqual(history.line_ids.move_id, self.invoice)
        self.assertIn("Will pay on Friday", history.note)
        self.assertEqual(self.invoice.ar_last_followup_date, self.DUE + timedelta(days=10))
        # the pending call was marked done, a call back was scheduled
        activities = self.customer.activity_ids - colleagues_call
        self.assertTrue(colleagues_call.exists(), "a colleague's call is not closed by mine")
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.date_deadline, self.DUE + timedelta(days=14))
        self.assertEqual(activities.activity_type_id, self.call_type)
        done = self.customer.message_ids.filtered(lambda m: m.mail_activity_type_id == self.call_type)
        self.assertTrue(done, "the done call is in the chatter")

    def test_log_call_bad_input(self):
        wizard = self.env["ar.followup.log.call"].with_user(self.collector)
        other = self.env["res.partner"].create({"name": "Other", "is_company": True})
        foreign = self.make_invoice(10, partner=other)
        with self.assertRaisesRegex(UserError, "not Acme Retail's"):
            wizard.create(
                {"partner_id": self.customer.id, "move_ids": [(6, 0, foreign.ids)], "outcome": "reached"}
            ).action_log()
        with freeze_time(self.DUE), self.assertRaisesRegex(UserError, "in the past"):
            wizard.create(
                {"partner_id": self.customer.id, "outcome": "reached", "next_call_date": self.DUE - timedelta(days=1)}
            ).action_log()
        self.assertFalse(self.customer.ar_history_ids)

    def test_exclude_and_include_invoice(self):
        action = self.invoice.with_user(self.collector).action_ar_exclude()
        wizard = Form(self.env[action["res_model"]].with_user(self.collector).with_context(**action["context"]))
        wizard.reason = "Customer waits for a credit note"
        wizard.save().action_exclude()
        self.assertTrue(self.invoice.ar_excluded)
        self.assertEqual(self.invoice.ar_exclusion_reason, "Customer waits for a credit note")
        self.assertEqual(
            self.due_level(self.invoice, self.DUE + timedelta(days=30)), (self.env["ar.followup.level"], False)
        )
        self.invoice.with_user(self.collector).action_ar_include()
        self.assertFalse(self.invoice.ar_excluded)
        self.assertEqual(self.due_level(self.invoice, self.DUE + timedelta(days=30))[0], self.level_2)

    def test_exclude_and_include_customer(self):
        action = self.ap_contact.with_user(self.collector).action_ar_exclude()
        wizard = Form(self.env[action["res_model"]].with_user(self.collector).with_context(**action["context"]))
        wizard.reason = "Key account: the account manager handles it"
        wizard.save().action_exclude()
        self.assertTrue(self.customer.ar_excluded)
        self.assertIn("Key account", self.customer.message_ids[0].body)
        self.assertIn(self.customer, self.env["res.partner"].search([("ar_excluded", "=", True)]))
        self.customer.with_user(self.collector).action_ar_include_in_followups()
        self.assertFalse(self.customer.ar_excluded)
        self.assertFalse(self.customer.ar_exclusion_reason)

    def test_smart_button_and_customer_actions(self):
        action = self.invoice.with_user(self.collector).action_ar_open_customer()
        self.assertEqual((action["res_model"], action["res_id"]), ("res.partner", self.customer.id))
        invoices = self.customer.with_user(self.collector).action_ar_open_invoices()
        self.assertEqual(
            self.env["account.move"].search(invoices["domain"] + [("payment_state", "!=", "paid")]),
            self.invoice | self.older,
        )
        history = self.customer.with_user(self.collector).action_ar_open_history()
        self.assertEqual(history["domain"], [("partner_id", "=", self.customer.id)])

    def test_stage_kanban_groups_by_company_dependent_stage(self):
        self.customer.ar_collection_stage_id = self.stage_escalated
        groups = (
            self.env["res.partner"]
            .with_user(self.collector)
            .read_group([("id", "=", self.customer.id)], ["ar_collection_stage_id"], ["ar_collection_stage_id"])
        )
        counts = {g["ar_collection_stage_id"][0]: g["ar_collection_stage_id_count"] for g in groups}
        self.assertEqual(counts[self.stage_escalated.id], 1)
        self.assertEqual(len(groups), self.env["ar.collection.stage"].search_count([]), "every stage is a column")
