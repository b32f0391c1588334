from . import ar_followup_batch_xlsx
from . import report_customer_statement
from . import ar_aging_report
from . import ar_cash_forecast
from . import ar_reminder_report
