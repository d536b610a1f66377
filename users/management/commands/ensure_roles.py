from django.core.management.base import BaseCommand

from users.roles import EDITORS, MODERATORS, WORKFLOW_NAME, ensure_roles, section_page_ids


class Command(BaseCommand):
    help = (
        f"Create or top up the '{EDITORS}' and '{MODERATORS}' groups, their permissions on the "
        f"services and articles sections, and the '{WORKFLOW_NAME}' workflow; Wagtail's default "
        "'Editors' and 'Moderators' groups and their workflow go while nobody uses them. Safe "
        "to run again."
    )

    def handle(self, *args, **options):
        retired = ensure_roles()
        if retired:
            self.stdout.write(f"Removed Wagtail's unused defaults: {', '.join(retired)}.")
        sections = section_page_ids()
        if not sections:
            self.stderr.write(
                "No services or articles section exists yet: groups and workflow are ready, "
                "page permissions will be granted when you run this again after creating them."
            )
        self.stdout.write(f"Roles ready on {len(sections)} section(s).")
