from . import ar_followup_batch_xlsx
from . import report_customer_statement
