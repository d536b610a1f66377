from django.apps import AppConfig

from pageviews.conf import view_count_settings


class PageViewsConfig(AppConfig):
    name = "pageviews"
    verbose_name = "Page views"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Read once at start-up: a bad PAGE_VIEWS stops the server with its one-line error
        # instead of failing the first reader's request.
        view_count_settings()
