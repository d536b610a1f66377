import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
application = get_wsgi_application()

# What is loaded by now (Django, Wagtail, models, URL patterns) lives as long as the process:
# moved out of the garbage collector's reach, so a collection during a request walks that
# request's objects rather than every module's (a measurable share of a large page's JSON).
gc.collect()
gc.freeze()
