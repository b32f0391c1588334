"""A follow-up run killed with SIGKILL in the middle of a chunk: a separate Odoo process runs
the batch job chunk by chunk, committing each as the cron does; once the first chunk is
committed and the second has sent its emails in its still open transaction, the process is
killed. The next run of the job finishes the batch: every customer gets exactly one email."""

import os
import re
import signal
import subprocess
import sys

from odoo_process import OdooProcess, addons_path

CUSTOMERS = 10
CHUNK = 4

BOOK = rf"""
from datetime import date, timedelta
due = date.today() - timedelta(days=10)
partners = env["res.partner"].create([
    {{"name": f"Crash Customer {{i}}", "is_company": True, "email": f"crash{{i}}@example.com"}}
    for i in range({CUSTOMERS})
])
for partner in partners:
    env["account.move"].create({{
        "move_type": "out_invoice", "partner_id": partner.id, "invoice_date": due - timedelta(days=30),
        "invoice_date_due": due, "invoice_line_ids": [(0, 0, {{"name": "Goods", "price_unit": 1000}})],
    }}).action_post()
batch = env["ar.followup.batch"].create({{"partner_ids": [(6, 0, partners.ids)]}})
batch.action_preview()
batch.action_run()
env.cr.commit()
print("BATCH", batch.id, len(batch.line_ids.filtered(lambda line: line.state == "planned")))
"""

# the job, chunk by chunk as the cron runs it; the second chunk is left uncommitted and the
# process waits there to be killed
WORKER = rf"""
import signal, sys
Batch = env["ar.followup.batch"]
Batch._cron_run_batches(batch_size={CHUNK})
env.cr.commit()
Batch._cron_run_batches(batch_size={CHUNK})
env.flush_all()
print("MIDCHUNK", flush=True)
signal.pause()
"""

FINISH = r"""
cron = env.ref("ar_collections.ir_cron_followup_batch_run")
for _run in range(20):
    cron.method_direct_trigger()
    env.cr.commit()
    if not env["ar.followup.batch.line"].search_count([("state", "=", "planned")]):
        break
env.invalidate_all()
batch = env["ar.followup.batch"].search([], order="id desc", limit=1)
print("STATE", batch.state, batch.done_count)
mails = env["mail.mail"].sudo().search([("model", "=", "res.partner"), ("message_type", "=", "comment")])
per_partner = sorted(mails.mapped("res_id"))
print("EMAILS", len(mails), len(set(per_partner)))
lines = env["ar.followup.history.line"].search([("channel", "=", "email")])
print("HISTORY", len(lines), len(set(lines.mapped("move_id").ids)))
"""


def test_run_killed_mid_chunk_resumes_and_sends_each_email_once(tmp_path):
    odoo = OdooProcess(tmp_path)
    try:
        problems, _output = odoo.run("-i", "ar_collections", "--without-demo=all")
        assert problems == [], "\n".join(problems)
        printed = odoo.shell(BOOK)
        assert re.search(rf"^BATCH \d+ {CUSTOMERS}$", printed, re.MULTILINE), printed  # every customer planned

        command = [
            sys.executable, "-m", "odoo", "shell", "-d", odoo.db, f"--addons-path={addons_path()}",
            f"--data-dir={odoo.data_dir}", "--log-level=warn", "--no-http",
        ]  # fmt: skip
        worker = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, start_new_session=True)  # fmt: skip
        worker.stdin.write(WORKER)
        worker.stdin.close()  # odoo shell runs what it read once its input ends
        try:
            line = worker.stdout.readline()
            while line and "MIDCHUNK" not in line:
                line = worker.stdout.readline()
            assert "MIDCHUNK" in line, worker.stderr.read()
            # the first chunk is committed; the second one's lines are done in the worker's
            # open transaction (their rows locked), not yet committed
            done = odoo.query("SELECT count(*) FROM ar_followup_batch_line WHERE state = 'done'")[0][0]
            assert done == CHUNK, done
            locked = odoo.query(
                "SELECT count(*) FROM pg_locks lock JOIN pg_stat_activity activity ON activity.pid = lock.pid "
                "WHERE activity.datname = current_database() AND lock.mode = 'RowShareLock' "
                "AND lock.relation = 'ar_followup_batch_line'::regclass"
            )[0][0]
            assert locked >= 1, "the worker holds the second chunk"
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=60)
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=60)
        assert worker.returncode == -signal.SIGKILL
        # what the killed transaction did is gone: only the first chunk is done and emailed
        assert odoo.query("SELECT count(*) FROM ar_followup_batch_line WHERE state = 'done'")[0][0] == CHUNK
        emails = odoo.query(
            "SELECT count(*) FROM mail_mail mail JOIN mail_message message ON message.id = mail.mail_message_id "
            "WHERE message.model = 'res.partner' AND message.message_type = 'comment'"
        )
        assert emails[0][0] == CHUNK, emails

        printed = odoo.shell(FINISH)
        assert f"STATE done {CUSTOMERS}" in printed, printed
        assert f"EMAILS {CUSTOMERS} {CUSTOMERS}" in printed, printed  # one each, none twice
        assert f"HISTORY {CUSTOMERS} {CUSTOMERS}" in printed, printed
    finally:
        odoo.drop()
