# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import io
from datetime import date, timedelta
from unittest.mock import patch

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tools.pdf import PdfReader

from .common import ArCollectionsCommon

REPORT = "ar_collections.action_report_customer_statement"


@tagged("post_install", "-at_install")
class TestStatementPdfs(ArCollectionsCommon, HttpCase):
    """Statements of many customers rendered by the real wkhtmltopdf in one process and split
    per customer, read back page by page (the server is up for the report's assets). On this
    project's machine wkhtmltopdf is Debian's, without the patched Qt: Odoo's own split by the
    PDF outline fails there."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.env["res.partner"].create(
            [
                {"name": f"Statement Customer {letter}", "is_company": True, "email": f"{letter}@example.com"}
                for letter in "ABC"
            ]
        )
        for customer in cls.customers:
            cls.make_invoice(100, partner=customer)
        # the second one owes 60 invoices: its statement runs over several pages
        long = cls.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.customers[1].id,
                    "invoice_date": cls.DUE - timedelta(days=30),
                    "invoice_date_due": cls.DUE,
                    "invoice_line_ids": [Command.create({"name": "Goods", "price_unit": 10 + n, "tax_ids": []})],
                }
                for n in range(60)
            ]
        )
        long.action_post()

    def setUp(self):
        super().setUp()
        self.Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        self.calls = []
        run = type(self.Report)._run_wkhtmltopdf

        def counted(report, bodies, **kwargs):
            self.calls.append(len(bodies))
            return run(report, bodies, **kwargs)

        patcher = patch.object(type(self.Report), "_run_wkhtmltopdf", counted)
        patcher.start()
        self.addCleanup(patcher.stop)

    def pdf_text(self, pdf):
        reader = PdfReader(io.BytesIO(pdf))
        return len(reader.pages), " ".join(" ".join(page.extract_text() for page in reader.pages).split())

    def assert_split(self, streams):
        self.assertEqual(list(streams), self.customers.ids)
        pages = {}
        for customer in self.customers:
            pages[customer], text = self.pdf_text(streams[customer.id]["stream"].getvalue())
            self.assertIn(customer.name, text)
            for other in self.customers - customer:
                self.assertNotIn(other.name, text, f"{other.name} in the statement of {customer.name}")
        self.assertGreaterEqual(pages[self.customers[1]], 2, "the long statement runs over pages")
        self.assertEqual(pages[self.customers[0]], 1)
        return pages

    def test_statements_of_several_customers_in_one_process(self):
        streams = self.Report._render_qweb_pdf_prepare_streams(REPORT, {}, res_ids=self.customers.ids)
        self.assertEqual(self.calls, [1], "one wkhtmltopdf process, one document")
        pages = self.assert_split(streams)
        # printed together (a batch's letters): one PDF, every statement in turn
        pdf, report_type = self.Report._render_qweb_pdf(REPORT, self.customers.ids)
        self.assertEqual(report_type, "pdf")
        count, text = self.pdf_text(pdf)
        self.assertEqual(count, sum(pages.values()))
        positions = [text.index(customer.name) for customer in self.customers]
        self.assertEqual(positions, sorted(positions))

    def test_one_by_one_when_the_split_is_not_sure(self):
        with patch.object(type(self.Report), "_ar_render_in_one_process", return_value=None):
            streams = self.Report._render_qweb_pdf_prepare_streams(REPORT, {}, res_ids=self.customers.ids)
        self.assertEqual(self.calls, [1, 1, 1])
        self.assert_split(streams)

    def test_other_reports_and_single_statements_are_odoos(self):
        with patch.object(type(self.Report), "_ar_render_in_one_process") as ours:
            self.Report._render_qweb_pdf_prepare_streams(REPORT, {}, res_ids=self.customers[:1].ids)
        ours.assert_not_called()

    def test_a_batch_chunk_renders_its_statements_together(self):
        run_day = date(2026, 3, 20)
        self.levels.write({"email_attach_statement": True})
        batch = self.env["ar.followup.batch"].create(
            {"partner_ids": [Command.set(self.customers.ids)], "date": run_day}
        )
        batch.action_preview()
        self.assertEqual(batch.line_ids.mapped("send_email"), [True] * 3)
        batch.line_ids.write({"create_activity": False})
        batch.action_run()
        self.env["ar.followup.batch"].with_context(force_report_rendering=True)._cron_run_batches()
        self.assertEqual(batch.line_ids.mapped("state"), ["done"] * 3)
        self.assertEqual(self.calls, [1], "the chunk's statements in one process")
        for customer in self.customers:
            message = customer.message_ids.filtered(lambda m: m.message_type == "comment")
            self.assertEqual(len(message), 1)
            _count, text = self.pdf_text(message.attachment_ids.raw)
            self.assertIn(customer.name, text)
            self.assertFalse([other for other in self.customers - customer if other.name in text])

    def run_chunk_counting_queries(self, count, tag):
        """Run a batch of ``count`` new customers due an email attaching the statement, in one
        chunk with the real wkhtmltopdf; the chunk's queries."""
        customers = self.env["res.partner"].create(
            [{"name": f"{tag} {n}", "is_company": True, "email": f"{tag.lower()}{n}@example.com"} for n in range(count)]
        )
        for customer in customers:
            self.make_invoice(100, partner=customer)
        batch = self.env["ar.followup.batch"].create(
            {"partner_ids": [Command.set(customers.ids)], "date": date(2026, 3, 20)}
        )
        batch.action_preview()
        batch.line_ids.write({"send_email": True, "send_letter": False, "create_activity": False})
        batch.action_run()
        self.env.flush_all()
        self.env.invalidate_all()
        queries = self.env.cr.sql_log_count
        self.env["ar.followup.batch"].with_context(force_report_rendering=True)._cron_run_batches()
        self.env.flush_all()
        queries = self.env.cr.sql_log_count - queries
        self.assertEqual(batch.line_ids.mapped("state"), ["done"] * count, batch.line_ids.mapped("result"))
        self.assertEqual(len(customers.message_ids.attachment_ids), count)
        return queries

    def test_a_chunk_of_statements_costs_one_query_a_customer_at_most(self):
        """Rendered together, a chunk's statements cost the same queries for 3 customers as for
        13 but one a customer: Odoo's access check on the record each attachment belongs to.
        (Odoo's layout around each statement, a query each, is rendered once for the chunk.)"""
        self.levels.write({"email_attach_statement": True})
        self.run_chunk_counting_queries(2, "Warm")  # the templates compiled, Odoo's caches filled
        few = self.run_chunk_counting_queries(3, "Few")
        many = self.run_chunk_counting_queries(13, "Many")
        self.assertEqual(self.calls, [1, 1, 1], "each chunk's statements in one process")
        # measured: 126 then 136 queries (128 then 148 when the layout went around each statement)
        self.assertLessEqual((many - few) / 10, 1.0, f"{few} then {many} queries")
