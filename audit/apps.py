from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "SEO audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Here, not at the top: signals imports the models, which need the app registry ready.
        from audit import signals

        signals.connect()
