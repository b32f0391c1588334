"""The SQL side of the generated books: copies of open invoices, and the
checks every generated book must pass (see bench/README.md)."""

from odoo.tools import SQL

OPEN_INVOICES_SQL = SQL(
    """
    SELECT COUNT(*) FROM account_move
     WHERE move_type = 'out_invoice' AND state = 'posted' AND payment_state IN ('not_paid', 'partial')
    """
)


def copy_query(env, table, overrides, source):
    """SQL: ``INSERT INTO table (every column) SELECT ...`` from ``source``
    (an SQL ``FROM`` clause aliasing the copied table ``src``), each column
    copied as is unless ``overrides`` gives its SQL expression."""
    env.cr.execute(
        SQL(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
            table,
        )
    )
    columns = [name for (name,) in env.cr.fetchall()]
    return SQL(
        "INSERT INTO %s (%s) SELECT %s FROM %s",
        SQL.identifier(table),
        SQL(", ").join(SQL.identifier(name) for name in columns),
        SQL(", ").join(overrides.get(name) or SQL.identifier("src", name) for name in columns),
        source,
    )


def multiply_open_invoices(env, customers, target):
    """Copy the seed's untouched open invoices in SQL until ``target`` open
    posted customer invoices exist. Copy ``n`` of an invoice of the customer
    of rank ``r`` goes to the customer of rank ``(r + n * 2919) mod N``: every
    customer gets copies and the skew of invoices per customer is kept."""
    env.flush_all()
    cr = env.cr
    cr.execute(OPEN_INVOICES_SQL)
    missing = target - cr.fetchone()[0]
    if missing <= 0:
        return 0
    cr.execute(
        SQL(
            """
            SELECT move.id FROM account_move move
             WHERE move.move_type = 'out_invoice' AND move.state = 'posted' AND move.payment_state = 'not_paid'
               AND move.commercial_partner_id = ANY(%s)
               AND NOT EXISTS (SELECT 1 FROM ar_payment_promise_account_move_rel rel WHERE rel.move_id = move.id)
               AND NOT EXISTS (SELECT 1 FROM ar_dispute_account_move_rel rel WHERE rel.move_id = move.id)
               AND NOT EXISTS (SELECT 1 FROM ar_payment_plan_account_move_rel rel WHERE rel.move_id = move.id)
            """,
            customers.ids,
        )
    )
    templates = [move_id for (move_id,) in cr.fetchall()]
    rounds = -(-missing // len(templates))
    cr.execute(SQL("CREATE TEMP TABLE bench_customer (rank integer PRIMARY KEY, partner_id integer)"))
    cr.execute(
        SQL(
            "INSERT INTO bench_customer SELECT ord - 1, id FROM unnest(%s::integer[]) WITH ORDINALITY AS c(id, ord)",
            customers.ids,
        )
    )
    cr.execute(
        SQL(
            """
            CREATE TEMP TABLE bench_move_map AS
            SELECT src.id AS old_id, src.copy_no, nextval('account_move_id_seq') AS new_id,
                   customer.partner_id AS partner_id, partner.name AS partner_name,
                   src.sequence_prefix || LPAD(src.number::text, GREATEST(5, LENGTH(src.number::text)), '0') AS name,
                   src.number AS sequence_number
              FROM (SELECT copies.*,
                           last.number + ROW_NUMBER() OVER (PARTITION BY copies.journal_id, copies.sequence_prefix
                                                                ORDER BY copies.copy_no, copies.id) AS number
                      FROM (SELECT move.id, move.journal_id, move.sequence_prefix, move.commercial_partner_id, copy_no
                              FROM account_move move CROSS JOIN generate_series(1, %(rounds)s) copy_no
                             WHERE move.id = ANY(%(templates)s)
                          ORDER BY copy_no, move.id
                             LIMIT %(missing)s) copies
                      JOIN (SELECT journal_id, sequence_prefix, MAX(sequence_number) AS number
                              FROM account_move GROUP BY journal_id, sequence_prefix) last
                        ON last.journal_id = copies.journal_id AND last.sequence_prefix = copies.sequence_prefix) src
              JOIN bench_customer origin ON origin.partner_id = src.commercial_partner_id
              JOIN bench_customer customer ON customer.rank = MOD(origin.rank + src.copy_no * 2919, %(customers)s)
              JOIN res_partner partner ON partner.id = customer.partner_id
            """,
            rounds=rounds,
            templates=templates,
            missing=missing,
            customers=len(customers),
        )
    )
    cr.execute(SQL("CREATE INDEX ON bench_move_map (old_id)"))
    cr.execute(
        SQL(
            """
            CREATE TEMP TABLE bench_line_map AS
            SELECT line.id AS old_id, nextval('account_move_line_id_seq') AS new_id, map.new_id AS move_id,
                   map.name AS move_name, map.partner_id
              FROM bench_move_map map JOIN account_move_line line ON line.move_id = map.old_id
            """
        )
    )
    cr.execute(
        copy_query(
            env,
            "account_move",
            {
                "id": SQL("map.new_id"),
                "name": SQL("map.name"),
                "sequence_number": SQL("map.sequence_number"),
                "payment_reference": SQL("map.name"),
                "partner_id": SQL("map.partner_id"),
                "commercial_partner_id": SQL("map.partner_id"),
                "partner_shipping_id": SQL("map.partner_id"),
                "invoice_partner_display_name": SQL("map.partner_name"),
            },
            SQL("bench_move_map map JOIN account_move src ON src.id = map.old_id"),
        )
    )
    cr.execute(
        copy_query(
            env,
            "account_move_line",
            {
                "id": SQL("map.new_id"),
                "move_id": SQL("map.move_id"),
                "move_name": SQL("map.move_name"),
                "partner_id": SQL("CASE WHEN src.partner_id IS NULL THEN NULL ELSE map.partner_id END"),
            },
            SQL("bench_line_map map JOIN account_move_line src ON src.id = map.old_id"),
        )
    )
    for table, column, other in (
        ("account_move_line_account_tax_rel", "account_move_line_id", "account_tax_id"),
        ("account_account_tag_account_move_line_rel", "account_move_line_id", "account_account_tag_id"),
    ):
        cr.execute(
            SQL(
                "INSERT INTO %(table)s (%(column)s, %(other)s) SELECT map.new_id, rel.%(other)s"
                " FROM bench_line_map map JOIN %(table)s rel ON rel.%(column)s = map.old_id",
                table=SQL.identifier(table),
                column=SQL.identifier(column),
                other=SQL.identifier(other),
            )
        )
    cr.execute(SQL("SELECT COUNT(*) FROM bench_move_map"))
    copied = cr.fetchone()[0]
    cr.execute(SQL("DROP TABLE bench_customer, bench_move_map, bench_line_map"))
    cr.execute(SQL("ANALYZE account_move, account_move_line"))
    env.cr.commit()
    env.invalidate_all()
    return copied


def check_book(env, target, owing=None):
    """The book's figures; raises if it is not what the benchmark needs (``owing``: how many
    customers must owe)."""
    cr = env.cr
    cr.execute(OPEN_INVOICES_SQL)
    open_invoices = cr.fetchone()[0]
    cr.execute(
        SQL(
            """
            SELECT COUNT(*) FROM (SELECT move_id FROM account_move_line GROUP BY move_id
                                   HAVING ROUND(SUM(balance), 2) != 0) unbalanced
            """
        )
    )
    unbalanced = cr.fetchone()[0]
    company = env.company
    cr.execute(
        SQL(
            """
            SELECT COALESCE(SUM(line.amount_residual), 0), COUNT(DISTINCT partner.commercial_partner_id)
              FROM account_move_line line
              JOIN account_account account ON account.id = line.account_id
              JOIN res_partner partner ON partner.id = line.partner_id
             WHERE account.account_type = 'asset_receivable' AND line.parent_state = 'posted'
               AND line.company_id = %s AND line.amount_residual != 0
            """,
            company.id,
        )
    )
    ledger_total, customers = cr.fetchone()
    [[aging_total]] = env["ar.aging.report"]._read_group([("company_id", "=", company.id)], [], ["amount_residual:sum"])
    print(
        f"check: {open_invoices} open posted customer invoices (target {target}), {customers} customers owing, "
        f"{unbalanced} unbalanced entries, aging total {aging_total:,.2f} vs open receivable lines "
        f"{float(ledger_total):,.2f}",
        flush=True,
    )
    if (
        open_invoices < target
        or (owing is not None and customers != owing)
        or unbalanced
        or company.currency_id.compare_amounts(aging_total, float(ledger_total))
    ):
        raise SystemExit("ERROR: the generated book fails its checks")
