# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.ar_collections.tests.common import ArCollectionsCommon
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs

from ..models import ar_followup_batch


@tagged("post_install", "-at_install")
class TestFollowupRunOnTheJobQueue(ArCollectionsCommon):
    """A follow-up run handed to OCA's job queue: one job per chunk on its channel, each line
    run once whoever (job, job run again, follow-up cron) takes it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.run_day = cls.DUE + timedelta(days=25)
        cls.customers = cls.env["res.partner"].create(
            [{"name": f"Queue Customer {n}", "is_company": True, "email": f"q{n}@example.com"} for n in range(5)]
        )
        for customer in cls.customers:
            cls.make_invoice(300, partner=customer)

    def ready_batch(self):
        with freeze_time(self.run_day):
            batch = self.env["ar.followup.batch"].create(
                {"partner_ids": [Command.set(self.customers.ids)], "date": self.run_day}
            )
            batch.action_preview()
        self.assertEqual(len(batch.line_ids.filtered(lambda line: line.state == "planned")), 5)
        return batch

    def emails(self):
        return (
            self.env["mail.mail"]
            .sudo()
            .search(
                [("model", "=", "res.partner"), ("res_id", "in", self.customers.ids), ("message_type", "=", "comment")]
            )
        )

    def test_a_run_is_one_job_per_chunk_on_its_channel(self):
        batch = self.ready_batch()
        with patch.object(ar_followup_batch, "CHUNK_SIZE", 2), trap_jobs() as trap, freeze_time(self.run_day):
            batch.with_user(self.collector).action_run()  # a collector, no right on the job queue
            trap.assert_jobs_count(3, only=self.env["ar.followup.batch"]._ar_job_run_chunk)
            self.assertEqual({job.channel for job in trap.enqueued_jobs}, {"root.ar_collections"})
            self.assertEqual(
                sorted(line_id for job in trap.enqueued_jobs for line_id in job.args[0]), sorted(batch.line_ids.ids)
            )
            trap.perform_enqueued_jobs()
        self.assertEqual(batch.line_ids.mapped("state"), ["done"] * 5)
        self.assertEqual(batch.state, "done")
        self.assertEqual(len(self.emails()), 5)

    def test_a_job_run_again_or_after_the_cron_sends_nothing_twice(self):
        batch = self.ready_batch()
        with patch.object(ar_followup_batch, "CHUNK_SIZE", 3), trap_jobs() as trap, freeze_time(self.run_day):
            batch.action_run()
            first, second = trap.enqueued_jobs
            first.perform()
            first.perform()  # retried by the job queue after a lost connection
            self.env["ar.followup.batch"]._cron_run_batches()  # the follow-up cron takes the rest
            second.perform()
        self.assertEqual(batch.line_ids.mapped("state"), ["done"] * 5)
        self.assertEqual(len(self.emails()), 5)
        self.assertEqual(len(self.emails().mapped("res_id")), 5, "one email per customer")

    def test_jobs_are_stored_for_a_collector(self):
        """Without trapping: the job records are written for a user without job queue rights."""
        batch = self.ready_batch()
        with freeze_time(self.run_day):
            batch.with_user(self.collector).action_run()
        jobs = self.env["queue.job"].sudo().search([("method_name", "=", "_ar_job_run_chunk")])
        self.assertEqual(len(jobs), 1)
        self.assertEqual(jobs.channel, "root.ar_collections")
        self.assertEqual(jobs.state, "pending")
        with freeze_time(self.run_day):
            Job.load(self.env, jobs.uuid).perform()  # as the job runner does
        self.assertEqual(batch.line_ids.mapped("state"), ["done"] * 5)
        self.assertEqual(len(self.emails()), 5)

    def test_the_job_function_is_on_the_channel(self):
        function = self.env.ref("ar_collections_queue_job.job_function_run_chunk").sudo()
        self.assertEqual(function.channel, "root.ar_collections")
        self.assertEqual(function.method, "_ar_job_run_chunk")
