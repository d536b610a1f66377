"""Who manages webhooks out of the box: the marketing moderators (the managers' role) get
``webhooks.manage_webhooks`` from the migrations and from ``ensure_roles``; marketing editors
do not. Asked of the real admin, as a fresh ``make run`` sets it up (migrate, then the demo
loader, which runs ``ensure_roles`` again)."""

from __future__ import annotations

from django.contrib.auth.models import Group

from tests.users.helpers import client_for, make_user
from users.roles import EDITORS, MODERATORS, ensure_roles
from webhooks.models import Endpoint

INDEX = "/admin/webhooks/endpoints/"


def group_codenames(name: str) -> set[str]:
    return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))


def test_the_migrations_grant_manage_webhooks_to_moderators_and_not_to_editors(db):
    assert "manage_webhooks" in group_codenames(MODERATORS)
    assert "manage_webhooks" not in group_codenames(EDITORS)


def test_ensure_roles_gives_it_back_after_it_was_removed_by_hand(db):
    moderators = Group.objects.get(name=MODERATORS)
    moderators.permissions.remove(*moderators.permissions.filter(codename="manage_webhooks"))
    ensure_roles()
    assert "manage_webhooks" in group_codenames(MODERATORS)


def test_a_moderator_opens_settings_webhooks_and_an_editor_cannot(demo_site, receiver):
    moderator = client_for(make_user("mona", group=MODERATORS))
    editor = client_for(make_user("eddie", group=EDITORS))
    assert INDEX in moderator.get("/admin/").content.decode()  # the Settings menu item
    assert moderator.get(INDEX).status_code == 200
    added = moderator.post(f"{INDEX}new/", {"url": receiver.url, "enabled": "on"})
    assert added.status_code == 200 and Endpoint.objects.count() == 1
    endpoint = Endpoint.objects.get()
    assert moderator.get(f"/admin/webhooks/{endpoint.pk}/deliveries/").status_code == 200

    assert INDEX not in editor.get("/admin/").content.decode()
    for url in (INDEX, f"{INDEX}new/", f"/admin/webhooks/{endpoint.pk}/deliveries/"):
        assert editor.get(url).status_code == 403, url
