from . import ar_followup_exclude
from . import ar_followup_log_call
