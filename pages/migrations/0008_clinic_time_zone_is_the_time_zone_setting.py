# The clinic's time zone moved from ClinicSettings to the TIME_ZONE setting (one clock for the
# admin, exports, e-mail and the site). A site whose stored zone differs is told what to set.

import sys

from django.conf import settings
from django.db import migrations


def warn_about_a_different_zone(apps, schema_editor):
    ClinicSettings = apps.get_model("pages", "ClinicSettings")
    for zone in ClinicSettings.objects.values_list("time_zone", flat=True).distinct():
        if zone and zone != settings.TIME_ZONE:
            sys.stderr.write(
                f"\n  The clinic's time zone was {zone}, the TIME_ZONE setting is "
                f"{settings.TIME_ZONE}: set TIME_ZONE={zone} in the environment to keep it.\n"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0007_clinicsettings_share_image"),
    ]

    operations = [
        migrations.RunPython(warn_about_a_different_zone, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="clinicsettings",
            name="time_zone",
        ),
    ]
