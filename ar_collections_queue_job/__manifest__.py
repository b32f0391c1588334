# Copyright 2026 ar_collections authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "AR Collections - Job Queue",
    "summary": "Follow-up runs spread over OCA's job queue: each chunk of a batch is a job of the "
    "root.ar_collections channel, run by any job runner of the deployment",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "license": "LGPL-3",
    "author": "ar_collections authors",
    "website": "https://github.com/ar-collections/ar_collections",
    "depends": ["ar_collections", "queue_job"],
    "data": ["data/queue_job_data.xml"],
    "auto_install": True,
    "installable": True,
}
