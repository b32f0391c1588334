"""Open an Odoo environment on a database, outside the HTTP server."""

import contextlib
import logging
import os
import socket

from aiosmtpd.controller import Controller

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
            # a chunk of a run that could not go out together says why
            "--log-handler=odoo.addons.ar_collections.models.ar_followup_batch_line:INFO",
            f"--db-filter=^{db}$",
        ]
    )
    return odoo.modules.registry.Registry(db)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink:
    """An SMTP server on 127.0.0.1 that accepts every mail and keeps its recipients and size."""

    def __init__(self):
        self.received = []  # [(recipients, bytes)]

    async def handle_DATA(self, server, session, envelope):
        self.received.append((tuple(envelope.rcpt_tos), len(envelope.content)))
        return "250 OK"


@contextlib.contextmanager
def smtp_sink(env):
    """Odoo's outgoing mail server pointed at a local SMTP sink for the duration: mails are
    really delivered (over SMTP, by Odoo's mail queue) and counted by the sink."""
    sink = SmtpSink()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    env["ir.mail_server"].search([("name", "=", "SMTP sink")]).unlink()  # left by an interrupted run
    server = env["ir.mail_server"].create(
        {"name": "SMTP sink", "smtp_host": "127.0.0.1", "smtp_port": controller.port, "sequence": 0}
    )
    env.cr.commit()
    try:
        yield sink
    finally:
        controller.stop()
        server.unlink()
        env.cr.commit()


def serve_http(env):
    """Odoo's HTTP server in a thread of this process, on a free local port,
    and the reports' URL pointed at it: wkhtmltopdf loads the statement PDF's
    stylesheets from there, as it does from a running Odoo."""
    port = free_port()
    config["http_interface"], config["http_port"] = "127.0.0.1", port
    odoo.service.server.ThreadedServer(odoo.http.root).http_spawn()
    env["ir.config_parameter"].set_param("report.url", f"http://127.0.0.1:{port}")
    env.cr.commit()


@contextlib.contextmanager
def environment(registry):
    with registry.cursor() as cr:
        yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
