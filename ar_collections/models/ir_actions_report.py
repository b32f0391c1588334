# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import copy
import io
import itertools
import logging
import secrets
from collections import OrderedDict

import lxml.html
from markupsafe import Markup

from odoo import models
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

_logger = logging.getLogger(__name__)

# reports printed for many customers at once (a batch's statements, its letters)
SPLIT_REPORTS = ("ar_collections.report_customer_statement",)
ARTICLE_XPATH = "//div[contains(concat(' ', normalize-space(@class), ' '), ' article ')]"


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        """The customer statements of many customers in one wkhtmltopdf process, split per
        customer.

        Odoo renders several records in one process and splits the PDF by its outline, which
        the wkhtmltopdf of Debian and Ubuntu (built without the patched Qt) neither writes nor
        accepts several pages in one call for: there, statements of several customers fail to
        print. Here every statement goes into one HTML document, each starting on a new page
        with an invisible marker; the pages where the markers are found split the PDF. If the
        split cannot be made sure of, each statement is rendered on its own, as Odoo would.
        """
        report = self._get_report(report_ref)
        ids = list(res_ids or [])
        if (
            report.report_name not in SPLIT_REPORTS
            or len(ids) < 2
            or len(set(ids)) != len(ids)
            or (report.attachment and report.attachment_use)
        ):
            return super()._render_qweb_pdf_prepare_streams(report_ref, data, res_ids=res_ids)
        pdfs = self._ar_render_in_one_process(report, data, ids)
        if pdfs is None:
            _logger.info("%s: %s statements rendered one by one", report.report_name, len(ids))
            streams = OrderedDict()
            for res_id in ids:
                streams.update(super()._render_qweb_pdf_prepare_streams(report_ref, data, res_ids=[res_id]))
            return streams
        return OrderedDict((res_id, {"stream": io.BytesIO(pdfs[res_id]), "attachment": None}) for res_id in ids)

    def _ar_render_in_one_process(self, report, data, ids):
        """``{res id: PDF bytes}`` made by one wkhtmltopdf call, or None when the PDF cannot be
        split for sure (a marker missing or out of order)."""
        report = report.with_context(debug=False)
        html = self.with_context(debug=False)._render_qweb_html(report.report_name, ids, data=dict(data or {}))[0]
        root = lxml.html.fromstring(html, parser=lxml.html.HTMLParser(encoding="utf-8"))
        articles = root.xpath(ARTICLE_XPATH)
        article_ids = [int(node.get("data-oe-id") or 0) for node in articles]
        if article_ids != ids:
            return None
        nonce = secrets.token_hex(6)
        markers = [f"ARPDF{nonce}N{index}X" for index in range(len(ids))]
        for index, node in enumerate(articles):
            # white, 1px, in a font whose text wkhtmltopdf writes readable (the web fonts of the
            # report's assets come out as shapes without text)
            marker = lxml.html.fragment_fromstring(
                "<span style=\"font-family: 'DejaVu Sans', 'Liberation Sans', sans-serif; color: #ffffff; "
                f'font-size: 1px; line-height: 1px;">{markers[index]}</span>'
            )
            node.insert(0, marker)
            if index:
                node.set("style", f"{node.get('style') or ''}; page-break-before: always;".lstrip("; "))
        # one body with every article: the header and footer (the company's) are the same for
        # all. Odoo's _prepare_html gives them, rendering the layout around each article (a
        # query each); the articles joined below are wrapped in it once, so it is given one
        first_only = copy.deepcopy(root)
        for node in first_only.xpath(ARTICLE_XPATH)[1:]:
            node.getparent().remove(node)
        _bodies, _html_ids, header, footer, paperformat_args = report._prepare_html(
            lxml.html.tostring(first_only, encoding="unicode"), report_model=report.model
        )
        layout = report._get_layout()
        joined = Markup("").join(
            Markup(lxml.html.tostring(node, encoding="unicode")) for node in root.xpath(ARTICLE_XPATH)
        )
        body = self.env["ir.qweb"]._render(
            layout.id,
            {
                "subst": False,
                "body": joined,
                "base_url": report._get_report_url(layout=layout),
                "report_xml_id": report.xml_id,
            },
            raise_if_not_found=False,
        )
        pdf = report._run_wkhtmltopdf(
            [body],
            report_ref=report.report_name,
            header=header,
            footer=footer,
            landscape=self._context.get("landscape"),
            specific_paperformat_args=paperformat_args,
            set_viewport_size=self._context.get("set_viewport_size"),
        )
        reader = PdfFileReader(io.BytesIO(pdf))
        starts = []
        for page_number, page in enumerate(reader.pages):
            text = "".join(page.extract_text().split())
            starts.extend((index, page_number) for index, marker in enumerate(markers) if marker in text)
        if [index for index, _page in starts] != list(range(len(ids))) or starts[0][1] != 0:
            return None
        pages = [page for _index, page in starts] + [len(reader.pages)]
        if any(first >= last for first, last in itertools.pairwise(pages)):
            return None
        result = {}
        for index, res_id in enumerate(ids):
            writer = PdfFileWriter()
            for page_number in range(pages[index], pages[index + 1]):
                writer.add_page(reader.pages[page_number])
            stream = io.BytesIO()
            writer.write(stream)
            result[res_id] = stream.getvalue()
        return result
