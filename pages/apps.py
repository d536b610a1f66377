from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Clinic pages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from pages.api.purge import connect_purge_signals

        connect_purge_signals()

        from pages.render_cache import connect_invalidation_signals

        connect_invalidation_signals()

        from pages.api.invalidation import connect_invalidation_signals as connect_api_signals

        connect_api_signals()
