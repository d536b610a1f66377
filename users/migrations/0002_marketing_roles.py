"""Create the "Marketing editors" and "Marketing moderators" groups and their workflow.

Page permissions and the workflow assignment need the services and articles sections; on a
fresh database those come later (demo loader or an editor), and `ensure_roles` grants them then.
"""

from django.db import migrations

from users.roles import ensure_roles, remove_roles


def forwards(apps, schema_editor):
    ensure_roles(apps)


def backwards(apps, schema_editor):
    remove_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0001_initial"),
        ("pages", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
