/** @odoo-module **/
// The collector's side, in the back office: from the invoice screen, send a reminder, log a
// call with a promise, open a dispute, offer a payment plan and exclude an invoice; then, in
// the collections kanban, drag the customer to another stage. The Python test
// (tests/test_invoice_tour.py) makes four overdue invoices INV/2026/00001-4 of one customer
// and checks the records afterwards.
import { registry } from "@web/core/registry";

const LIST = "/odoo/action-account.action_move_out_invoice_type";

function openInvoice(name) {
    return [
        {
            content: `open the invoice list for ${name}`,
            trigger: "body",
            run: `goToUrl ${LIST}`,
        },
        {
            content: `open ${name}`,
            trigger: `.o_data_row .o_data_cell:contains('${name}')`,
            run: "click",
        },
        {
            trigger: `.o_form_view .o_breadcrumb:contains('${name}')`,
        },
    ];
}

function inDaysUS(days) {
    const day = new Date();
    day.setDate(day.getDate() + days);
    const pad = (n) => String(n).padStart(2, "0");
    return `${pad(day.getMonth() + 1)}/${pad(day.getDate())}/${day.getFullYear()}`;
}

registry.category("web_tour.tours").add("ar_collections_invoice_actions", {
    steps: () => [
        // 1. Send reminder, from the first invoice
        ...openInvoice("INV/2026/00001"),
        {
            trigger: ".o_form_statusbar button[name='action_ar_send_reminder']",
            run: "click",
        },
        {
            content: "the composer is prefilled with the level's template",
            trigger: ".modal .o_field_widget[name='subject'] input",
        },
        {
            trigger: ".modal .modal-footer button.btn-primary:contains('Send')",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        // 2. Log call with a promise, same invoice
        {
            trigger: ".o_form_statusbar button[name='action_ar_log_call']",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='outcome'] input[data-value='reached']",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='promise'] input",
            run: "check",
        },
        {
            trigger: ".modal .o_field_widget[name='promise_date'] input",
            run: `edit ${inDaysUS(7)}`,
        },
        {
            trigger: ".modal .o_field_widget[name='promise_amount'] input",
            run: "edit 400",
        },
        {
            trigger: ".modal .o_field_widget[name='note'] .odoo-editor-editable, .modal .o_field_widget[name='note'] textarea",
            run: "editor Will pay 400 next week.",
        },
        {
            trigger: ".modal button[name='action_log']",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        // 3. Open dispute, on the second invoice
        ...openInvoice("INV/2026/00002"),
        {
            trigger: ".o_form_statusbar button[name='action_ar_open_dispute']",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='reason_id'] input",
            run: "edit Pricing",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Pricing')",
            run: "click",
        },
        {
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        // 4. Offer payment plan, on the third
        ...openInvoice("INV/2026/00003"),
        {
            trigger: ".o_form_statusbar button[name='action_ar_offer_payment_plan']",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='installment_count'] input",
            run: "edit 3",
        },
        {
            trigger: ".modal button[name='action_create_plan']",
            run: "click",
        },
        {
            content: "the new plan opens",
            trigger: ".o_form_view .o_field_widget[name='installment_ids'] .o_data_row",
        },
        // 5. Exclude the fourth
        ...openInvoice("INV/2026/00004"),
        {
            trigger: ".o_form_statusbar button[name='action_ar_exclude']",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='reason'] input, .modal .o_field_widget[name='reason'] textarea",
            run: "edit Paid by bank guarantee",
        },
        {
            trigger: ".modal button[name='action_exclude']",
            run: "click",
        },
        {
            trigger: ".o_form_statusbar button[name='action_ar_include']",
        },
        // 6. The collections kanban: drag the customer to Escalated
        {
            trigger: "body",
            run: "goToUrl /odoo/action-ar_collections.res_partner_action_collections",
        },
        {
            content: "every customer, not only those with overdue items followed up now",
            trigger: ".o_searchview_facet:contains('Overdue') .o_facet_remove",
            run: "click",
        },
        {
            trigger: ".o_searchview_input",
            run: "edit Acme Retail",
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "the search applied: one card, in Current",
            trigger: ".o_searchview_facet:contains('Acme Retail')",
        },
        {
            trigger: ".o_kanban_group:has(.o_column_title:contains('Current')) .o_kanban_record:contains('Acme Retail')",
            run: "drag_and_drop (.o_kanban_group:has(.o_column_title:contains('Escalated')))",
        },
        {
            content: "the card is in Escalated",
            trigger: ".o_kanban_group:has(.o_column_title:contains('Escalated')) .o_kanban_record:contains('Acme Retail')",
        },
    ],
});
