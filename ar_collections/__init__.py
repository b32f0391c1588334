from . import models
from . import report
from . import wizards
from . import controllers


def post_init_hook(env):
    """Give every existing company the default follow-up ladder."""
    env["res.company"].search([])._ar_create_default_followup_levels()


def uninstall_hook(env):
    """Remove the activities of the collection activity types, so that uninstalling can
    delete the types themselves (activities restrict the deletion of their type)."""
    types = env["ir.model.data"].search([("module", "=", "ar_collections"), ("model", "=", "mail.activity.type")])
    env["mail.activity"].sudo().with_context(active_test=False).search(
        [("activity_type_id", "in", types.mapped("res_id"))]
    ).unlink()
