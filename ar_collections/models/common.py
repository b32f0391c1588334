# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).


def wizard_action(name, res_model, context):
    """The window action opening the wizard ``res_model`` in a dialog."""
    return {
        "type": "ir.actions.act_window",
        "name": name,
        "res_model": res_model,
        "view_mode": "form",
        "views": [(False, "form")],
        "target": "new",
        "context": context,
    }
