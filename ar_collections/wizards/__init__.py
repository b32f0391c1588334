from . import ar_followup_exclude
from . import ar_followup_log_call
from . import ar_payment_plan_wizard
