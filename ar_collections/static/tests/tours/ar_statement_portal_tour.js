/** @odoo-module **/
// The customer's side, from the link of a reminder: read the statement, promise to pay one
// invoice, dispute another, accept the proposed payment plan of a third, and pay the last
// one with the demo provider. The Python test (tests/test_portal_tour.py) makes the data and
// checks the records afterwards.
import { registry } from "@web/core/registry";

function inDays(days) {
    const day = new Date();
    day.setDate(day.getDate() + days);
    return day.toISOString().slice(0, 10);
}

registry.category("web_tour.tours").add("ar_collections_statement_portal", {
    steps: () => [
        {
            content: "the statement says who it is from and lists the open invoices",
            trigger: ".o_ar_statement:has(.o_ar_statement_items tr[data-move])",
        },
        {
            content: "the aging summary",
            trigger: ".o_ar_statement_buckets [data-bucket='120_plus']",
        },
        // promise to pay the first invoice
        {
            content: "choose the first invoice to promise",
            trigger: ".o_ar_promise_form input[name='move_ids']:first",
            run: "check",
        },
        {
            trigger: ".o_ar_promise_form input[name='promised_date']",
            // a date input takes its ISO value as the browser's date picker sets it
            run() {
                const input = document.querySelector(".o_ar_promise_form input[name='promised_date']");
                input.value = inDays(10);
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            trigger: ".o_ar_promise_form input[name='amount']",
            run: "edit 300",
        },
        {
            trigger: ".o_ar_promise_submit",
            run: "click",
        },
        {
            content: "the promise is thanked for",
            trigger: ".o_ar_statement_message[data-message='promise_ok']",
        },
        // dispute the next invoice (the promised one is listed too: choose the second)
        {
            trigger: ".o_ar_dispute_form select[name='move_id']",
            run: "selectByIndex 2",
        },
        {
            trigger: ".o_ar_dispute_form select[name='reason_id']",
            run: "selectByIndex 1",
        },
        {
            trigger: ".o_ar_dispute_form input[name='amount']",
            run: "edit 50",
        },
        {
            trigger: ".o_ar_dispute_form textarea[name='message']",
            run: "edit The unit price is not the one we agreed.",
        },
        {
            trigger: ".o_ar_dispute_submit",
            run: "click",
        },
        {
            content: "the dispute is acknowledged",
            trigger: ".o_ar_statement_message[data-message='dispute_ok']",
        },
        // accept the proposed plan with a signature
        {
            content: "the proposed plan waits for an answer",
            trigger: ".o_ar_statement_plans .badge.text-bg-warning",
        },
        {
            content: "open the signature dialog",
            trigger: ".o_ar_statement_plans .o_ar_plan_accept",
            run: "click",
        },
        {
            content: "sign with the typed name",
            trigger: ".modal .o_portal_sign_submit:enabled",
            run: "click",
        },
        {
            content: "the plan is agreed",
            trigger: ".o_ar_statement_message[data-message='plan_ok']",
        },
        // pay what is left: only the invoice not paused is ticked
        {
            trigger: ".o_ar_pay_now",
            run: "click",
        },
        {
            content: "the payment form of the demo provider",
            trigger: ".o_ar_statement_pay input[name='customer_input']",
            run: "edit 4242",
        },
        {
            trigger: "button[name='o_payment_submit_button']:enabled",
            run: "click",
        },
        {
            content: "back on the statement, thanked for the payment",
            trigger: ".o_ar_statement_message[data-message='paid']",
            timeout: 20000,
        },
    ],
});
