from . import models
from . import wizards


def post_init_hook(env):
    """Give every existing company the default follow-up ladder."""
    env["res.company"].search([])._ar_create_default_followup_levels()
