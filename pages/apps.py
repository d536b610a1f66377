from django.apps import AppConfig
from django.core import checks

from pages.api.conf import check_settings


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Clinic pages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Here, not at the top: these modules import models, which need the app registry ready.
        from pages import events  # noqa: I001 -- the change-event source, connected first
        from pages.api.purge import connect_purge_signals
        from pages.site_chrome import connect_invalidation_signals

        events.connect()
        connect_purge_signals()
        connect_invalidation_signals()
        # Here for the same reason: it imports the image and collection models.
        from pages.api.invalidation import connect_invalidation_signals as connect_api_signals

        connect_api_signals()
        checks.register(check_settings)
