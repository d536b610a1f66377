from cms.settings.base import *  # noqa: F403

DEBUG = True
ALLOWED_HOSTS = ["*"]

# `make run` serves pages, runs tasks and publishes scheduled pages in three processes; a
# cache they share means a publish in one drops the cached nav and breadcrumbs of the others
# (pages.render_cache) and view de-duplication sees every process's readers.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env_str("CACHE_DIR", str(BASE_DIR / "var" / "cache")),  # noqa: F405
    }
}
