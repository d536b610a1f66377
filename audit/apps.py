from django.apps import AppConfig
from django.core import checks

from audit.conf import check_settings


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "SEO audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Here, not at the top: signals imports the models, which need the app registry ready.
        from audit import signals

        signals.connect()
        checks.register(check_settings)
