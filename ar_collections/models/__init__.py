from . import ar_collection_stage
from . import ar_followup_level
from . import ar_followup_history
from . import ar_followup_history_line
from . import res_company
from . import res_partner
from . import account_move
from . import mail_compose_message
