from cms.settings.address import base_url_for
from cms.settings.base import *  # noqa: F403

DEBUG = True
ALLOWED_HOSTS = ["*"]

# The address `make run HOST=… PORT=…` serves on (run_site passes HOST and PORT to every
# process it starts): canonical URLs, e-mail links and audit targets must point there.
# An explicit WAGTAILADMIN_BASE_URL (e.g. behind a proxy) wins.
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL") or base_url_for(  # noqa: F405
    env_str("HOST", "127.0.0.1"),  # noqa: F405
    env_str("PORT", "8000"),  # noqa: F405
)
WAGTAILAPI_BASE_URL = WAGTAILADMIN_BASE_URL
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "pages" / "static" / "site_root"  # noqa: F405

# `make run` serves pages, runs tasks and publishes scheduled pages in three processes; a
# cache they share means a publish in one drops the cached nav and breadcrumbs of the others
# (pages.render_cache) and view de-duplication sees every process's readers.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env_str("CACHE_DIR", str(BASE_DIR / "var" / "cache")),  # noqa: F405
        # The default (300) culls a third of the entries at random once passed: cached API
        # responses and page fragments alone outnumber that on a real site.
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    }
}
