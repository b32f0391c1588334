# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""18.0.1.1.0: fields renamed to say what they hold, and the level decision stored.

- ``ar.kpi.snapshot.add`` is ``avg_days_delinquent``: the column, the field and its
  translations are renamed, not dropped and made anew, so that stored KPIs keep their value;
- ``account.move.ar_due_level_id`` / ``ar_next_followup_date`` become stored (with the day they
  were decided for, ``ar_due_decided_on``): their columns
  are made here so that Odoo does not compute them record by record on every journal entry;
  the post-migration fills them in two statements.
"""

from odoo.tools import SQL, sql


def migrate(cr, version):
    if not version:
        return
    if sql.column_exists(cr, "ar_kpi_snapshot", "add") and not sql.column_exists(
        cr, "ar_kpi_snapshot", "avg_days_delinquent"
    ):
        sql.rename_column(cr, "ar_kpi_snapshot", "add", "avg_days_delinquent")
        cr.execute(
            SQL(
                "UPDATE ir_model_fields SET name = %s WHERE model = %s AND name = %s",
                "avg_days_delinquent",
                "ar.kpi.snapshot",
                "add",
            )
        )
        cr.execute(
            SQL(
                "UPDATE ir_model_data SET name = %s WHERE module = %s AND model = %s AND name = %s",
                "field_ar_kpi_snapshot__avg_days_delinquent",
                "ar_collections",
                "ir.model.fields",
                "field_ar_kpi_snapshot__add",
            )
        )
    if not sql.column_exists(cr, "account_move", "ar_due_level_id"):
        sql.create_column(cr, "account_move", "ar_due_level_id", "int4")
    for column in ("ar_next_followup_date", "ar_due_decided_on"):
        if not sql.column_exists(cr, "account_move", column):
            sql.create_column(cr, "account_move", column, "date")
