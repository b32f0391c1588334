from . import ar_followup_batch
