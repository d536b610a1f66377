import tempfile

from cms.settings.base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="clinic-cms-test-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = tempfile.mkdtemp(prefix="clinic-cms-test-static-")
# Publishing in tests would otherwise crawl a site nobody serves; tests of it turn it on.
SEO_AUDIT = {"AUDIT_AFTER_PUBLISH": False}
# Fixture servers on loopback ports stand in for public sites in the audit tests; tests of the
# target rules themselves set this back to [] (the default everywhere else).
SEO_AUDIT_ALLOWED_HOSTS = ["127.0.0.1"]
