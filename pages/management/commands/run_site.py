"""`make run`: the web server and its background processes, started and stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand
from wagtail.models import Site

from cms.settings.address import base_url_for

# Each entry: (name, manage.py arguments). Later processes (scheduler) are added here.
BACKGROUND_PROCESSES: list[tuple[str, list[str]]] = [
    ("worker", ["db_worker"]),
    ("scheduler", ["audit_scheduler"]),
]


class Command(BaseCommand):
    help = "Serve the site with its task worker; Ctrl-C stops everything."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, **options):
        host, port = options["host"], options["port"]
        base_url = os.environ.get("WAGTAILADMIN_BASE_URL", "").strip() or base_url_for(host, port)
        # Every process derives WAGTAILADMIN_BASE_URL from these (cms/settings/dev.py).
        child_env = {**os.environ, "HOST": host, "PORT": str(port)}
        if point_default_site_at(base_url):
            self.stdout.write(f"The default site's address is now {base_url}/.")
        manage = [sys.executable, "manage.py"]
        web = ["runserver", f"{host}:{port}", "--noreload"]
        commands = [("web", web), *BACKGROUND_PROCESSES]
        processes = {
            name: subprocess.Popen([*manage, *argv], env=child_env) for name, argv in commands
        }
        self.stdout.write(
            f"Serving {base_url}/ (admin at {base_url}/admin/) with: "
            f"{', '.join(processes)}. Ctrl-C stops all."
        )
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(
                            f"{name} exited with code {process.returncode}; stopping."
                        )
                        stopping = True
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()


def point_default_site_at(base_url: str) -> bool:
    """Give the default Site the host and port of `base_url`; True when that changed it.

    Canonical, Open Graph and JSON-LD URLs, the sitemap and the audit's default target are
    built from the Site record, so it must name the address the site is served at.
    """
    parts = urlsplit(base_url)
    hostname = parts.hostname or "localhost"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None or (site.hostname, site.port) == (hostname, port):
        return False
    site.hostname, site.port = hostname, port
    site.save()  # Site's save signal drops Wagtail's cached site root paths
    return True
