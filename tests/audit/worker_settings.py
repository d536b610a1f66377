"""Settings for a real task worker started by a test: the test settings with the
django-tasks-db backend, the database from DATABASE_URL (a file or a database of the test's
own), SEO_AUDIT overrides as JSON in TEST_SEO_AUDIT (quick timings) and WEBHOOKS overrides
as JSON in TEST_WEBHOOKS."""

import json
import os

from cms.settings.test import *  # noqa: F403
from cms.settings.test import SEO_AUDIT as TEST_SEO_AUDIT

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SEO_AUDIT = {**TEST_SEO_AUDIT, **json.loads(os.environ.get("TEST_SEO_AUDIT", "{}"))}
WEBHOOKS = json.loads(os.environ.get("TEST_WEBHOOKS", "{}"))
