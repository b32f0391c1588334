# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""18.0.1.1.0: store the levels due today on the open invoices (see pre-migration); the
worklist job runs on request only, the daily follow-up job refreshing the worklist from its
own preview (the cron is ``noupdate``: its data file does not reach installed databases)."""

from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, api, fields


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["account.move"]._ar_refresh_due_levels()
    # the daily job runs after the levels due (00:30) and the risk scores (01:00), whose results
    # it reads, at the next 02:00 (UTC, as the data file schedules it)
    daily = env.ref("ar_collections.ir_cron_followup_automatic", raise_if_not_found=False)
    if daily:
        now = fields.Datetime.now()
        next_run = now.replace(hour=2, minute=0, second=0, microsecond=0)
        daily.nextcall = next_run if next_run > now else next_run + relativedelta(days=1)
    cron = env.ref("ar_collections.ir_cron_worklist", raise_if_not_found=False)
    if cron:
        cron.write(
            {
                "name": "Collections: refresh the worklist (on request)",
                "interval_type": "months",
                "nextcall": fields.Datetime.now() + relativedelta(years=100),
            }
        )
