"""Open an Odoo environment on a database, outside the HTTP server."""

import contextlib
import os
import socket

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
            # Debian's wkhtmltopdf (unpatched Qt) warns on every PDF that it ignores header options
            "--log-handler=odoo.addons.base.models.ir_actions_report:ERROR",
            f"--db-filter=^{db}$",
        ]
    )
    return odoo.modules.registry.Registry(db)


def serve_http(env):
    """Odoo's HTTP server in a thread of this process, on a free local port,
    and the reports' URL pointed at it: wkhtmltopdf loads the statement PDF's
    stylesheets from there, as it does from a running Odoo."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config["http_interface"], config["http_port"] = "127.0.0.1", port
    odoo.service.server.ThreadedServer(odoo.http.root).http_spawn()
    env["ir.config_parameter"].set_param("report.url", f"http://127.0.0.1:{port}")
    env.cr.commit()


@contextlib.contextmanager
def environment(registry):
    with registry.cursor() as cr:
        yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
