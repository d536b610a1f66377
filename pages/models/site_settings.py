from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import format_html
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


def default_time_zone() -> str:
    return settings.TIME_ZONE


def validate_time_zone(value: str) -> None:
    """An IANA time zone name such as America/Vancouver."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"{value!r} is not a time zone: use a name like America/Vancouver or Europe/London."
        ) from None


class TimeZonePanel(HelpPanel):
    """The site's clock on the settings screen; read when shown, since it is a setting."""

    class BoundPanel(HelpPanel.BoundPanel):
        def __init__(self, **kwargs) -> None:
            super().__init__(**kwargs)
            self.content = format_html(
                "<p>Times in the admin, audit reports, e-mails, schedules and on the site are "
                "shown in <strong>{}</strong>. It is the TIME_ZONE setting (an environment "
                "variable), so everyone sees the same clock.</p>",
                settings.TIME_ZONE,
            )


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(available_timezones())]


@register_setting(icon="site")
class ClinicSettings(BaseSiteSetting):
    """Facts about the clinic shown in the footer and in JSON-LD (MedicalBusiness)."""

    name = models.CharField(max_length=120, default="Northside Physio")
    street_address = models.CharField(max_length=200, blank=True)
    locality = models.CharField("town or city", max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO code, e.g. GB or CA.")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    opening_hours = models.TextField(
        blank=True,
        help_text="One line per entry in schema.org form, e.g. 'Mo-Fr 08:00-19:00'.",
    )
    facebook_url = models.URLField("Facebook URL", blank=True)
    instagram_url = models.URLField("Instagram URL", blank=True)
    linkedin_url = models.URLField("LinkedIn URL", blank=True)
    booking_url = models.URLField(
        "online booking address",
        blank=True,
        help_text=(
            "Your booking system's page, if readers can book online. Empty: 'Book an "
            "appointment' leads to the booking section with the phone number and e-mail."
        ),
    )
    share_image = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=(
            "Shown when a page with no picture of its own is shared on social media "
            "(og:image). A wide picture works best: it is cropped to 1200 × 630."
        ),
    )

    panels = [
        FieldPanel("name"),
        MultiFieldPanel(
            [
                FieldPanel("street_address"),
                FieldPanel("locality"),
                FieldPanel("region"),
                FieldPanel("postal_code"),
                FieldPanel("country"),
            ],
            heading="Address",
        ),
        FieldPanel("phone"),
        FieldPanel("email"),
        FieldPanel("booking_url"),
        FieldPanel("opening_hours"),
        TimeZonePanel(heading="Time zone"),
        FieldPanel("share_image"),
        MultiFieldPanel(
            [FieldPanel("facebook_url"), FieldPanel("instagram_url"), FieldPanel("linkedin_url")],
            heading="Social links",
        ),
    ]

    class Meta:
        verbose_name = "clinic details"

    @property
    def booking_href(self) -> str:
        """Where every "Book an appointment" button leads."""
        return self.booking_url or "#book"

    @property
    def opening_hours_list(self) -> list[str]:
        return [line.strip() for line in self.opening_hours.splitlines() if line.strip()]

    @property
    def social_links(self) -> list[tuple[str, str]]:
        links = [
            ("Facebook", self.facebook_url),
            ("Instagram", self.instagram_url),
            ("LinkedIn", self.linkedin_url),
        ]
        return [(label, url) for label, url in links if url]
