"""`make run`: the web server and its background processes, started and stopped together."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

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
        manage = [sys.executable, "manage.py"]
        web = ["runserver", f"{options['host']}:{options['port']}", "--noreload"]
        commands = [("web", web), *BACKGROUND_PROCESSES]
        processes = {name: subprocess.Popen([*manage, *argv]) for name, argv in commands}
        self.stdout.write(
            f"Serving http://{options['host']}:{options['port']}/ "
            f"(admin at /admin/) with: {', '.join(processes)}. Ctrl-C stops all."
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
