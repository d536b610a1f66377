from django.apps import AppConfig


class ImporterConfig(AppConfig):
    name = "importer"
    verbose_name = "Site import"
    default_auto_field = "django.db.models.BigAutoField"
