from django.apps import AppConfig


class PageViewsConfig(AppConfig):
    name = "pageviews"
    verbose_name = "Page views"
    default_auto_field = "django.db.models.BigAutoField"
