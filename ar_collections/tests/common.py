# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from contextlib import contextmanager
from datetime import date

from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class ArCollectionsCommon(AccountTestInvoicingCommon):
    """A company with the default follow-up ladder, a collector, a manager,
    a billing clerk without collections rights, and invoice helpers.

    Dates are absolute: tests freeze time around ``DUE`` (2026-03-01).
    """

    DUE = date(2026, 3, 1)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.company_data["company"]
        cls.env["res.company"].browse(cls.company.id)._ar_create_default_followup_levels()
        cls.levels = cls.env["ar.followup.level"].search([("company_id", "=", cls.company.id)])
        cls.level_friendly, cls.level_1, cls.level_2, cls.level_final, cls.level_escalation = cls.levels
        cls.collector = cls.make_user("ar_collector", "ar_collections.group_ar_collections_user")
        cls.manager = cls.make_user("ar_manager", "ar_collections.group_ar_collections_manager")
        cls.billing_clerk = cls.make_user("ar_billing", "account.group_account_invoice")
        cls.customer = cls.env["res.partner"].create(
            {"name": "Acme Retail", "is_company": True, "email": "ap@acme.example.com", "lang": "en_US"}
        )
        cls.stage_reminded = cls.env.ref("ar_collections.ar_collection_stage_reminded")
        cls.stage_escalated = cls.env.ref("ar_collections.ar_collection_stage_escalated")

    @classmethod
    def make_user(cls, login, groups, companies=None):
        """A user with only ``groups``, working in ``companies`` (default: the main one)."""
        companies = companies or cls.company
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=companies[0].id,
            company_ids=[Command.set(companies.ids)],
            email=f"{login}@example.com",
        )

    @classmethod
    def make_invoice(
        cls, amount, due=None, partner=None, move_type="out_invoice", currency=None, company=None, post=True
    ):
        """A posted customer invoice (or credit note) of ``amount`` without
        taxes, invoiced 30 days before ``due``."""
        due = due or cls.DUE
        company = company or cls.company
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": (partner or cls.customer).id,
                    "invoice_date": date.fromordinal(due.toordinal() - 30),
                    "invoice_date_due": due,
                    "currency_id": (currency or company.currency_id).id,
                    "invoice_line_ids": [
                        Command.create({"name": "Goods", "quantity": 1, "price_unit": amount, "tax_ids": []})
                    ],
                }
            )
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def pay(cls, invoices, amount, pay_date):
        """Register a payment of ``amount`` (company currency) on ``invoices``
        with Odoo's own payment wizard."""
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create({"amount": amount, "payment_date": pay_date, "group_payment": True})
            ._create_payments()
        )

    @contextmanager
    def assertUndone(self, exception, pattern):
        """``assertRaisesRegex`` that also rolls back what the failing call did, as the request's
        transaction would (Odoo's ``assertRaises`` runs in a savepoint)."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertRegex(str(caught.exception), pattern)

    def refresh_due_levels(self):
        """What the nightly job does for the passing of days: the levels due today, stored."""
        return self.env["account.move"]._cron_ar_refresh_due_levels()

    def run_precommit(self):
        """What the transaction's commit runs first (hooks decided at commit time)."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def record_level(self, invoices, level, channel="email"):
        """Apply ``level`` to ``invoices`` through ``channel`` in the history."""
        return self.env["ar.followup.history"]._record(
            invoices.commercial_partner_id, channel, "sent", dict.fromkeys(invoices, level)
        )

    def due_level(self, invoice, on):
        return self.env["ar.followup.level"]._get_due_levels(invoice, on)[invoice.id]
