"""People in each role and page-editor form data, shared by the users and editor tests."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, streamfield

from users.roles import EDITORS, MODERATORS

PASSWORD = "a-long-test-password"


def make_user(username: str, *, group: str | None = None, superuser: bool = False):
    """A user who can log in with PASSWORD; e-mail is <username>@clinic.test."""
    user_model = get_user_model()
    create = user_model.objects.create_superuser if superuser else user_model.objects.create_user
    user = create(username, f"{username}@clinic.test", PASSWORD)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def make_role_users() -> dict:
    return {
        "editor": make_user("eddie", group=EDITORS),
        "moderator": make_user("mona", group=MODERATORS),
        "admin": make_user("ada", superuser=True),
        "outsider": make_user("olly"),
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def paragraph(html: str) -> tuple[str, str]:
    """A body paragraph block as the rich text editor posts it."""
    from wagtail.test.utils.form_data import rich_text

    return ("paragraph", rich_text(html))


def image_block(image_id: int, alt_text: str = "", decorative: bool = False) -> tuple:
    value = {"image": {"image": str(image_id), "alt_text": alt_text}, "caption": ""}
    if decorative:
        value["image"]["decorative"] = "on"
    return ("image", value)


def editor_form_data(client: Client, url: str, *, body: list, **fields) -> dict:
    """What the page editor at `url` would post: its own inputs as rendered (so fields other
    apps add come along), with the StreamFields (drawn by JavaScript, so absent from the HTML)
    and `fields` filled in."""
    response = client.get(url)
    assert response.status_code == 200, f"GET {url} answered {response.status_code}"
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form").dict()
    data.update(nested_form_data({"body": streamfield(body), "who_it_helps": streamfield([])}))
    data.update({key: str(value) for key, value in fields.items()})
    return data
