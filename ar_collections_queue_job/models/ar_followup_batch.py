# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo import api, models
from odoo.tools import split_every

CHUNK_SIZE = 50


class ArFollowupBatch(models.Model):
    _inherit = "ar.followup.batch"

    def _start_run(self):
        """Also one job per chunk of planned lines, on the ``root.ar_collections`` channel: the
        deployment's job runners share the run. The follow-up job still runs too; a line is
        taken by whichever comes first (``_claim_lines``), and run once."""
        result = super()._start_run()
        for batch in self:
            planned = batch.line_ids.filtered(lambda line: line.state == "planned")
            for chunk in split_every(CHUNK_SIZE, planned.ids):
                self.browse().with_delay(
                    channel="root.ar_collections",
                    description=self.env._(
                        "Follow-up batch %(name)s: %(count)s customers", name=batch.name, count=len(chunk)
                    ),
                    identity_key=f"ar_followup_batch_chunk:{batch.id}:{chunk[0]}-{chunk[-1]}:{len(chunk)}",
                )._ar_job_run_chunk(list(chunk))
        return result

    @api.model
    def _ar_job_run_chunk(self, line_ids):
        """Run the lines of ``line_ids`` still planned (a line done by another worker, or by this
        job's first try, is not run again)."""
        lines = self._claim_lines(len(line_ids), line_ids=line_ids)
        lines._execute()
        lines.batch_id._notify_done()
        # a batch whose last chunks ran at once is closed by the follow-up job's next call
        self.env.ref("ar_collections.ir_cron_followup_batch_run")._trigger()
        return self.env._("%(count)s lines run", count=len(lines))
