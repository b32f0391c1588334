# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from decimal import Decimal

from odoo.tools import SQL

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


def fetch_without_jit(cr, query):
    """The rows of ``query``, run with PostgreSQL's JIT compilation off for it alone.

    The book-wide queries of follow-ups (levels due, receivable figures) are estimated far
    above ``jit_above_cost`` (their correlated subqueries) and run in tens of milliseconds:
    PostgreSQL spent longer compiling them (about 90 ms each on the benchmark's book) than
    running them. The setting is put back after the query (a failure rolls it back with the
    transaction or savepoint)."""
    cr.execute(SQL("SELECT current_setting('jit')"))
    previous = cr.fetchone()[0]
    if previous == "off":
        cr.execute(query)
        return cr.fetchall()
    cr.execute(SQL("SET LOCAL jit = off"))
    cr.execute(query)
    rows = cr.fetchall()
    cr.execute(SQL("SELECT set_config('jit', %s, true)", previous))
    return rows


def _quoted(value):
    return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')


# how each exact type is written in an array literal; a subclass (``Markup``) takes the
# slower path of ``_array_element``
_ARRAY_ELEMENT = {type(None): lambda _value: "NULL", bool: str, int: str, float: str, Decimal: str, str: _quoted}


def _array_element(value):
    if isinstance(value, str):
        return _quoted(str(value))  # a Markup's replace() would escape what it puts in
    if isinstance(value, bool | int | float | Decimal):
        return str(value)
    raise TypeError(f"{value!r} ({type(value).__name__}) has no place in an array literal")


def array_literal(values):
    """``values`` (numbers, booleans, strings or ``None``) as one PostgreSQL array literal,
    ``'{1,NULL,"a \\"b\\""}'``, to pass with a cast (``%s::integer[]``): a Python list is sent
    as ``ARRAY[...]``, whose every element PostgreSQL parses, a third of inserting 100,000
    rows from arrays. Anything else raises ``TypeError``."""
    element = _ARRAY_ELEMENT.get
    return "{%s}" % ",".join([(element(type(value)) or _array_element)(value) for value in values])


def insert_many2many(env, field, pairs):
    """Link ``(record id, other id)`` ``pairs`` through the many2many ``field`` in one query
    (the ORM writes each record's links in two), ignoring links that exist; the field's
    cached values are invalidated."""
    if not pairs:
        return
    env.cr.execute(
        SQL(
            "INSERT INTO %s (%s, %s) SELECT * FROM unnest(%s::integer[], %s::integer[]) ON CONFLICT DO NOTHING",
            SQL.identifier(field.relation),
            SQL.identifier(field.column1),
            SQL.identifier(field.column2),
            array_literal([record_id for record_id, _other in pairs]),
            array_literal([other_id for _record, other_id in pairs]),
        )
    )
    env[field.model_name].invalidate_model([field.name])
