"""Open an Odoo environment on a database, outside the HTTP server."""

import contextlib
import os

import odoo
from odoo.tools import config


def setup(db):
    config.parse_config(
        [
            "-d",
            db,
            f"--addons-path={os.environ['ODOO_ADDONS_PATH']}",
            f"--data-dir={os.environ.get('AR_BENCH_DATA_DIR', '/tmp/ar_collections_bench')}",
            "--log-level=warn",
            f"--db-filter=^{db}$",
        ]
    )
    return odoo.modules.registry.Registry(db)


@contextlib.contextmanager
def environment(registry):
    with registry.cursor() as cr:
        yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
