from django.core.management.base import BaseCommand

from pages.demo.loader import ensure_demo_admin, load_demo_content


class Command(BaseCommand):
    help = "Create the demo clinic site (pages, images, clinic details). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-admin", action="store_true", help="Do not create the demo superuser."
        )

    def handle(self, *args, **options):
        result = load_demo_content()
        if not options["no_admin"]:
            ensure_demo_admin(result)
        if result.created:
            self.stdout.write(f"Created: {', '.join(result.created)}.")
        else:
            self.stdout.write("Demo content already present; nothing changed.")
        if result.admin_login:
            self.stdout.write(f"Admin login at /admin/: {result.admin_login}")
