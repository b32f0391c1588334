# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "AR Collections",
    "summary": "Accounts-receivable collections: follow-up levels, collection stages, "
    "reminders, call logs and a full follow-up history",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "license": "LGPL-3",
    "author": "ar_collections authors",
    "website": "https://github.com/ar-collections/ar_collections",
    "depends": ["account", "mail"],
    "data": [
        "security/ar_collections_groups.xml",
        "security/ir.model.access.csv",
        "security/ar_collections_security.xml",
        "data/ar_collection_stage_data.xml",
        "data/mail_activity_type_data.xml",
        "data/mail_template_data.xml",
        "views/ar_collection_stage_views.xml",
        "views/ar_followup_level_views.xml",
        "views/ar_followup_history_views.xml",
        "views/res_partner_views.xml",
        "views/account_move_views.xml",
        "wizards/ar_followup_exclude_views.xml",
        "wizards/ar_followup_log_call_views.xml",
        "views/ar_collections_menus.xml",
    ],
    "demo": [
        "demo/ar_collections_demo.xml",
    ],
    "post_init_hook": "post_init_hook",
    "application": True,
    "installable": True,
}
