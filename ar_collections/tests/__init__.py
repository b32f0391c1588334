from . import test_followup_level
from . import test_partner_figures
from . import test_history
from . import test_invoice_actions
from . import test_constraints
from . import test_access
from . import test_followup_batch
from . import test_payment_plan
