# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

# ten years of monthly installments: beyond that a typo, not a plan
MAX_INSTALLMENTS = 120


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


def name_from_sequence(env, vals_list, code):
    """``vals_list`` with a name from the ``code`` sequence of each record's
    company wherever none was given (or the "New" placeholder)."""
    for vals in vals_list:
        if vals.get("name", env._("New")) == env._("New"):
            company = env["res.company"].browse(vals.get("company_id")) or env.company
            vals["name"] = env["ir.sequence"].with_company(company).next_by_code(code)
    return vals_list


def flush_fields(env, *fields_by_model):
    """Flush the pending writes of these fields, ``(model, [field names])`` pairs, before raw SQL reads them."""
    for model, fnames in fields_by_model:
        env[model].flush_model(fnames)
