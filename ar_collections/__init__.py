from . import models
from . import report
from . import wizards
from . import controllers


def post_init_hook(env):
    """Give every existing company the default follow-up ladder."""
    env["res.company"].search([])._ar_create_default_followup_levels()
