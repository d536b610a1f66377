from django.apps import AppConfig
from django.core import checks


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Here, not at the top: the outbox imports the models, which need the app registry.
        from webhooks import outbox, scheduling
        from webhooks.conf import check_settings

        outbox.connect()
        scheduling.connect()
        checks.register(check_settings)
