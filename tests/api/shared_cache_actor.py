"""An editor in a process of its own, for tests/api/test_shared_cache.py.

Reads one command per line on stdin, applies it to the database named by DATABASE_URL (with
the settings of DJANGO_SETTINGS_MODULE, so its changes reach the same shared cache as the
servers'), and answers each with one JSON line on stdout. Ends at end of input.
"""

from __future__ import annotations

import json
import sys

import django

django.setup()

from wagtail.models import Page  # noqa: E402 (needs django.setup())

from pages.models import ClinicImage, ClinicSettings  # noqa: E402


def apply(command: str, args: list[str]) -> object:
    if command == "ids":
        return {page.slug: page.pk for page in Page.objects.filter(depth__gt=1)}
    if command == "retitle":
        page = Page.objects.get(pk=int(args[0])).specific
        page.title = " ".join(args[1:])
        page.save_revision().publish()
    elif command == "move":
        Page.objects.get(pk=int(args[0])).move(Page.objects.get(pk=int(args[1])), "last-child")
    elif command == "unpublish":
        Page.objects.get(pk=int(args[0])).specific.unpublish()
    elif command == "social-image":
        page = Page.objects.get(pk=int(args[0])).specific
        page.social_image = ClinicImage.objects.get(pk=int(args[1]))
        page.save_revision().publish()
    elif command == "image-alt":
        image = ClinicImage.objects.get(pk=int(args[0]))
        image.description = " ".join(args[1:])
        image.save()
    elif command == "clinic-name":
        clinic = ClinicSettings.objects.get()
        clinic.name = " ".join(args)
        clinic.save()
    elif command == "first-image":
        return ClinicImage.objects.order_by("pk").values_list("pk", flat=True).first()
    else:
        raise SystemExit(f"unknown command {command!r}")
    return "ok"


for line in sys.stdin:
    command, *arguments = line.split()
    print(json.dumps(apply(command, arguments)), flush=True)
