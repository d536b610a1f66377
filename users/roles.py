"""The marketing roles: two groups, what each may do, and the moderation workflow they share.

`ensure_roles()` creates or tops up everything here and is safe to run any number of times. It
only adds: permissions an administrator removed by hand come back, but nothing else an
administrator set up (other groups, other workflows, a different workflow on a section) is
touched. The one thing it removes is Wagtail's own starter set, while nobody uses it: the
"Editors" and "Moderators" groups and the "Moderators approval" workflow that Wagtail's
migrations create. Next to the marketing roles they were a second pair of groups for the same
jobs, with wider rights (add and publish anywhere from the tree's root). It runs from the data
migrations, from the demo loader and from `manage.py ensure_roles` (for a real site whose
services and articles sections were created after `migrate`).

It takes an app registry so the data migration can pass its historical models; everything is
looked up by name, never imported.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.conf import settings

EDITORS = "Marketing editors"
MODERATORS = "Marketing moderators"
WORKFLOW_NAME = "Marketing approval"
TASK_NAME = "Marketing moderators approval"

# Pages whose subtrees the marketing roles work in: (app label, model name).
SECTION_MODELS = [("pages", "serviceindexpage"), ("pages", "articleindexpage")]


@dataclass(frozen=True)
class Perm:
    """A Django permission named by the model it belongs to; `name` is used only to create it."""

    app_label: str
    model: str
    codename: str
    name: str = ""


# Wagtail's image and document permissions are checked per collection, so these are granted
# both as model permissions and on the root collection (as Wagtail's own default groups do).
# Image permissions always belong to wagtailimages.Image, even with our custom image model.
EDITOR_MEDIA_PERMISSIONS = [
    Perm("wagtailimages", "image", "add_image"),
    Perm("wagtailimages", "image", "change_image"),
    Perm("wagtailimages", "image", "choose_image"),
    Perm("wagtaildocs", "document", "add_document"),
    Perm("wagtaildocs", "document", "change_document"),
    Perm("wagtaildocs", "document", "choose_document"),
]
MODERATOR_MEDIA_PERMISSIONS = [
    *EDITOR_MEDIA_PERMISSIONS,
    Perm("wagtailimages", "image", "delete_image"),
    Perm("wagtaildocs", "document", "delete_document"),
]

# Permissions of features other apps add. A permission whose model does not exist (yet) is
# skipped, so each applies once its app has migrated and `ensure_roles` runs again (a later
# migration, the demo loader or the command). The page views report needs no permission of
# its own: everyone with admin access may read it.
# SEO audits (audit/admin_views/permissions.py): viewing reports and checking drafts is
# "view_auditrun"; running audits, editing schedules and deleting runs is "manage_audits".
# Webhooks (Settings → Webhooks, webhooks/admin_views.py): endpoints, their secrets and the
# delivery log are for the managers only, "manage_webhooks".
EDITOR_FEATURE_PERMISSIONS: list[Perm] = [Perm("audit", "auditrun", "view_auditrun")]
MODERATOR_FEATURE_PERMISSIONS: list[Perm] = [
    *EDITOR_FEATURE_PERMISSIONS,
    Perm("audit", "auditrun", "manage_audits", "Can run audits, edit schedules and delete runs"),
    Perm(
        "webhooks",
        "endpoint",
        "manage_webhooks",
        "Can manage webhook endpoints and their deliveries",
    ),
]

ADMIN_ACCESS = Perm("wagtailadmin", "admin", "access_admin", "Can access Wagtail admin")

ROLE_PERMISSIONS: dict[str, list[Perm]] = {
    EDITORS: [ADMIN_ACCESS, *EDITOR_MEDIA_PERMISSIONS, *EDITOR_FEATURE_PERMISSIONS],
    MODERATORS: [ADMIN_ACCESS, *MODERATOR_MEDIA_PERMISSIONS, *MODERATOR_FEATURE_PERMISSIONS],
}
ROLE_COLLECTION_PERMISSIONS: dict[str, list[Perm]] = {
    EDITORS: EDITOR_MEDIA_PERMISSIONS,
    MODERATORS: MODERATOR_MEDIA_PERMISSIONS,
}
# Wagtail page permission types granted on each section (and so on every page under it).
# Editors have no "publish": their changes reach the site only through the workflow.
ROLE_PAGE_PERMISSIONS: dict[str, list[str]] = {
    EDITORS: ["add", "change", "lock"],
    MODERATORS: ["add", "change", "lock", "publish", "unlock"],
}


# What Wagtail's own migrations create (wagtailcore 0002 and 0048): two groups with page
# permissions on the tree's root, and a workflow of one task approved by "Moderators".
WAGTAIL_DEFAULT_GROUPS = ("Editors", "Moderators")
WAGTAIL_DEFAULT_WORKFLOW = "Moderators approval"


def ensure_roles(apps: Apps | None = None) -> list[str]:
    """Create the marketing groups and workflow, grant them on the sections that exist, and
    retire Wagtail's default groups and workflow while unused (their names are returned)."""
    apps = apps or global_apps
    _ensure_marketing_roles(apps)
    return retire_wagtail_defaults(apps)


def _ensure_marketing_roles(apps: Apps) -> None:
    group_model = apps.get_model("auth", "Group")
    groups = {name: group_model.objects.get_or_create(name=name)[0] for name in ROLE_PERMISSIONS}
    for name, group in groups.items():
        group.permissions.add(*_existing_permissions(apps, ROLE_PERMISSIONS[name]))
        _grant_on_root_collection(apps, group, ROLE_COLLECTION_PERMISSIONS[name])

    workflow = _moderation_workflow(apps, groups[MODERATORS])
    workflow_page_model = apps.get_model("wagtailcore", "WorkflowPage")
    for section_id in section_page_ids(apps):
        for name, group in groups.items():
            _grant_on_page(apps, group, section_id, ROLE_PAGE_PERMISSIONS[name])
        # A section that already has a workflow keeps it: an administrator chose it.
        workflow_page_model.objects.get_or_create(
            page_id=section_id, defaults={"workflow": workflow}
        )


def retire_wagtail_defaults(apps: Apps | None = None) -> list[str]:
    """Delete Wagtail's default "Editors" and "Moderators" groups if nobody is in them, then
    its default "Moderators approval" workflow and task if they have no moderation history
    and no group left to approve. Returns the names of what was deleted.

    A default group someone was put in is an administrator's choice and stays, and so does
    the workflow its members approve in."""
    apps = apps or global_apps
    group_model = apps.get_model("auth", "Group")
    user_model = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    removed: list[str] = []
    for name in WAGTAIL_DEFAULT_GROUPS:
        group = group_model.objects.filter(name=name).first()
        if group is not None and not user_model.objects.filter(groups=group).exists():
            group.delete()  # its page and collection permissions go with it
            removed.append(name)

    workflow_model = apps.get_model("wagtailcore", "Workflow")
    workflow = workflow_model.objects.filter(name=WAGTAIL_DEFAULT_WORKFLOW).first()
    if workflow is None:
        return removed
    workflow_task_model = apps.get_model("wagtailcore", "WorkflowTask")
    task_ids = list(
        workflow_task_model.objects.filter(workflow=workflow).values_list("task_id", flat=True)
    )
    tasks = apps.get_model("wagtailcore", "GroupApprovalTask").objects.filter(pk__in=task_ids)
    no_approvers = len(task_ids) == tasks.count() and not tasks.exclude(groups=None).exists()
    history = (
        apps.get_model("wagtailcore", "WorkflowState").objects.filter(workflow=workflow).exists()
        or apps.get_model("wagtailcore", "TaskState").objects.filter(task_id__in=task_ids).exists()
    )
    shared = workflow_task_model.objects.filter(task_id__in=task_ids).exclude(workflow=workflow)
    if no_approvers and not history and not shared.exists():
        apps.get_model("wagtailcore", "WorkflowPage").objects.filter(workflow=workflow).delete()
        workflow.delete()
        apps.get_model("wagtailcore", "Task").objects.filter(pk__in=task_ids).delete()
        removed.append(WAGTAIL_DEFAULT_WORKFLOW)
    return removed


def section_page_ids(apps: Apps | None = None) -> list[int]:
    """Primary keys of the services and articles sections that exist."""
    apps = apps or global_apps
    ids: list[int] = []
    for app_label, model_name in SECTION_MODELS:
        model = apps.get_model(app_label, model_name)
        ids.extend(model.objects.order_by("pk").values_list("pk", flat=True))
    return ids


def _existing_permissions(apps: Apps, perms: list[Perm]) -> list:
    """The Permission rows for `perms` whose model exists, created when missing (in a fresh
    database the data migration runs before Django's post-migrate step creates them)."""
    content_type_model = apps.get_model("contenttypes", "ContentType")
    permission_model = apps.get_model("auth", "Permission")
    rows = []
    for perm in perms:
        try:
            apps.get_model(perm.app_label, perm.model)
        except LookupError:
            continue
        content_type, _ = content_type_model.objects.get_or_create(
            app_label=perm.app_label, model=perm.model
        )
        row, _ = permission_model.objects.get_or_create(
            content_type=content_type,
            codename=perm.codename,
            defaults={"name": perm.name or perm.codename.replace("_", " ").capitalize()},
        )
        rows.append(row)
    return rows


def _grant_on_root_collection(apps: Apps, group, perms: list[Perm]) -> None:
    collection_model = apps.get_model("wagtailcore", "Collection")
    grant_model = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root = collection_model.objects.filter(depth=1).first()
    if root is None:
        return
    for permission in _existing_permissions(apps, perms):
        grant_model.objects.get_or_create(group=group, collection=root, permission=permission)


def _grant_on_page(apps: Apps, group, page_id: int, permission_types: list[str]) -> None:
    grant_model = apps.get_model("wagtailcore", "GroupPagePermission")
    page_perms = [Perm("wagtailcore", "page", f"{kind}_page") for kind in permission_types]
    for permission in _existing_permissions(apps, page_perms):
        grant_model.objects.get_or_create(group=group, page_id=page_id, permission=permission)


def _moderation_workflow(apps: Apps, moderators):
    """The one-step workflow 'Marketing approval': a moderator approves, and that publishes."""
    content_type_model = apps.get_model("contenttypes", "ContentType")
    task_model = apps.get_model("wagtailcore", "GroupApprovalTask")
    workflow_model = apps.get_model("wagtailcore", "Workflow")
    workflow_task_model = apps.get_model("wagtailcore", "WorkflowTask")

    task = task_model.objects.filter(name=TASK_NAME).first()
    if task is None:
        # Set explicitly: historical models do not fill in Wagtail's polymorphic content type.
        content_type, _ = content_type_model.objects.get_or_create(
            app_label="wagtailcore", model="groupapprovaltask"
        )
        task = task_model.objects.create(name=TASK_NAME, content_type=content_type, active=True)
    task.groups.add(moderators)

    workflow, created = workflow_model.objects.get_or_create(
        name=WORKFLOW_NAME, defaults={"active": True}
    )
    if created:
        workflow_task_model.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


def remove_roles(apps: Apps | None = None) -> None:
    """Undo `ensure_roles` (the migration's reverse): the groups go, and so do the workflow and
    its task unless they have moderation history, which is kept (switched off, unassigned)."""
    apps = apps or global_apps
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLE_PERMISSIONS)).delete()
    workflow_model = apps.get_model("wagtailcore", "Workflow")
    task_model = apps.get_model("wagtailcore", "Task")
    apps.get_model("wagtailcore", "WorkflowPage").objects.filter(
        workflow__name=WORKFLOW_NAME
    ).delete()
    workflows = workflow_model.objects.filter(name=WORKFLOW_NAME)
    tasks = task_model.objects.filter(name=TASK_NAME)
    has_history = (
        apps.get_model("wagtailcore", "WorkflowState").objects.filter(workflow__in=workflows)
    ).exists() or apps.get_model("wagtailcore", "TaskState").objects.filter(task__in=tasks).exists()
    if has_history:
        workflows.update(active=False)
        tasks.update(active=False)
    else:
        workflows.delete()
        tasks.delete()
