from . import ar_followup_exclude
from . import ar_followup_log_call
from . import ar_payment_plan_wizard
from . import ar_collections_export
from . import ar_kpi_refresh
from . import account_move_reversal
from . import mail_compose_message
from . import base_partner_merge_automatic_wizard
