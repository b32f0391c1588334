"""Two Odoo processes draining one follow-up batch at once, as two cron workers (or two hosts)
do: each takes chunks of lines with FOR UPDATE SKIP LOCKED, both do part of the work, every
line runs once and every customer gets one email. A PostgreSQL advisory lock held by the test
starts both workers at the same moment."""

import subprocess
import sys

import psycopg2
from odoo_process import OdooProcess, addons_path

CUSTOMERS = 40
BARRIER = 724_001  # the advisory lock key the workers wait on

SETUP = rf"""
from datetime import date, timedelta
from odoo import Command
due = date.today() - timedelta(days=10)  # the first reminder is due
partners = env["res.partner"].create([
    {{"name": f"Parallel Customer {{n:02d}}", "is_company": True, "email": f"p{{n}}@example.com"}}
    for n in range({CUSTOMERS})
])
invoices = env["account.move"].create([{{
    "move_type": "out_invoice", "partner_id": partner.id, "invoice_date": due - timedelta(days=30),
    "invoice_date_due": due, "invoice_line_ids": [Command.create({{"name": "Goods", "price_unit": 500}})],
}} for partner in partners])
invoices.action_post()
batch = env["ar.followup.batch"].create({{"partner_ids": [Command.set(partners.ids)]}})
batch.action_preview()
batch.line_ids.write({{"create_activity": False}})
batch.action_run()
env.cr.commit()
print("LINES", len(batch.line_ids.filtered(lambda line: line.state == "planned")))
"""

WORKER = rf"""
env.cr.execute("SELECT pg_advisory_lock_shared({BARRIER})")  # wait for the start
env.cr.execute("SELECT pg_advisory_unlock_shared({BARRIER})")
env.cr.commit()
Batch, Line = env["ar.followup.batch"], env["ar.followup.batch.line"]
taken = []
while True:  # as the cron: called again, in a new transaction, while lines remain planned
    lines = Batch._cron_run_batches(batch_size=3)
    taken += lines.ids
    env.cr.commit()
    env.invalidate_all()
    if not lines and not Line.search_count([("state", "=", "planned")]):
        Batch._cron_run_batches(batch_size=3)  # nothing left: closes the batch
        env.cr.commit()
        break
print("TOOK", ",".join(map(str, taken)))
"""

CHECK = r"""
lines = env["ar.followup.batch.line"].search([])
print("STATES", sorted(set(lines.mapped("state"))))
mails = env["mail.mail"].sudo().search([("model", "=", "res.partner"), ("message_type", "=", "comment")])
print("EMAILS", len(mails), "CUSTOMERS", len(set(mails.mapped("res_id"))))
history = env["ar.followup.history.line"].search([("channel", "=", "email")])
print("EMAIL_HISTORY", len(history), len(set(history.mapped("move_id").ids)))
print("BATCH", lines.batch_id.state)
"""


def worker(odoo, tmp_path):
    command = [
        sys.executable, "-m", "odoo", "shell", "-d", odoo.db, f"--addons-path={addons_path()}",
        f"--data-dir={odoo.data_dir}", "--log-level=warn", "--no-http",
    ]  # fmt: skip
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    with script.open() as stdin:
        return subprocess.Popen(command, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_two_workers_drain_one_batch_each_line_once(tmp_path):
    odoo = OdooProcess(tmp_path)
    try:
        problems, _output = odoo.run("-i", "ar_collections", "--without-demo=all")
        assert problems == [], "\n".join(problems)
        assert f"LINES {CUSTOMERS}" in odoo.shell(SETUP)
        barrier = psycopg2.connect(dbname=odoo.db)
        barrier.autocommit = True
        barrier.cursor().execute("SELECT pg_advisory_lock(%s)", [BARRIER])
        workers = [worker(odoo, tmp_path), worker(odoo, tmp_path)]
        try:
            with barrier.cursor() as cr:  # both workers loaded and waiting on the lock
                for _attempt in range(1200):
                    cr.execute(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND NOT granted",
                        [BARRIER],
                    )
                    if cr.fetchone()[0] == 2:
                        break
                    cr.execute("SELECT pg_sleep(0.05)")
                else:
                    raise AssertionError("the workers never reached the start")
        finally:
            barrier.cursor().execute("SELECT pg_advisory_unlock(%s)", [BARRIER])
            barrier.close()
        outputs = [process.communicate(timeout=600)[0] for process in workers]
        taken = []
        for output in outputs:
            assert "ERROR" not in output and "WARNING" not in output, output
            line = next(line for line in output.splitlines() if line.startswith("TOOK"))
            taken.append({int(i) for i in line.split()[1].split(",") if i})
        first, second = taken
        assert first and second, f"both workers took lines: {len(first)} and {len(second)}"
        assert not first & second, f"a line run by both: {first & second}"
        assert len(first | second) == CUSTOMERS
        printed = odoo.shell(CHECK)
        assert "STATES ['done']" in printed, printed
        assert f"EMAILS {CUSTOMERS} CUSTOMERS {CUSTOMERS}" in printed, printed
        assert f"EMAIL_HISTORY {CUSTOMERS} {CUSTOMERS}" in printed, printed
        assert "BATCH done" in printed, printed
    finally:
        odoo.drop()
