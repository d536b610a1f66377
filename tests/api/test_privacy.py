"""Only live, public pages anywhere in the API: listings, detail, find, search and references."""

from __future__ import annotations

import pytest
from wagtail.models import PageViewRestriction

from tests.api.conftest import API

pytestmark = pytest.mark.django_db


def listed_ids(get_json, query: str = "") -> set[int]:
    data = get_json(f"{API}/pages/?limit=100{query}")
    return {item["id"] for item in data["items"]}


def assert_hidden_everywhere(client, get_json, page, word: str) -> None:
    """The page is absent from every way the API can reach a page."""
    assert page.pk not in listed_ids(get_json)
    assert page.pk not in listed_ids(get_json, "&type=pages.ServicePage")
    assert page.pk not in listed_ids(get_json, f"&search={word}")
    get_json(f"{API}/pages/{page.pk}/", status=404)
    get_json(f"{API}/pages/find/?html_path={page.url_path.removeprefix('/home')}", status=404)
    get_json(f"{API}/pages/find/?id={page.pk}", status=404)
    for relation in ("child_of", "descendant_of", "ancestor_of"):
        get_json(f"{API}/pages/?{relation}={page.pk}", status=400)


def restrict(page, kind: str) -> None:
    if kind == "password":
        PageViewRestriction.objects.create(page=page, restriction_type="password", password="pw")
    else:
        PageViewRestriction.objects.create(page=page, restriction_type="login")


def test_draft_page_never_appears(client, get_json, make_service):
    draft = make_service("draft-only", title="Zanzibarian draft therapy", publish=False)
    assert draft.live is False
    assert_hidden_everywhere(client, get_json, draft, "Zanzibarian")


@pytest.mark.parametrize("kind", ["password", "login"])
def test_private_page_never_appears(client, get_json, make_service, kind):
    private = make_service(f"private-{kind}", title="Quixotic private therapy")
    restrict(private, kind)
    assert_hidden_everywhere(client, get_json, private, "Quixotic")


def test_login_restriction_applies_even_to_logged_in_editors(client, get_json, make_service):
    """The API judges every request as an anonymous visitor, so answers are cacheable."""
    from django.contrib.auth import get_user_model

    private = make_service("staff-notes", title="Staff notes")
    restrict(private, "login")
    editor = get_user_model().objects.create_superuser("editor", "e@example.com", "pw")
    client.force_login(editor)
    assert client.get(private.url).status_code == 200  # the HTML site lets the editor in
    get_json(f"{API}/pages/{private.pk}/", status=404)
    assert private.pk not in listed_ids(get_json)


def test_password_entered_in_session_does_not_unlock_the_api(client, get_json, make_service):
    private = make_service("team-page", title="Team page")
    restrict(private, "password")
    restriction = PageViewRestriction.objects.get(page=private)
    session = client.session
    session[PageViewRestriction.passed_view_restrictions_session_key] = [restriction.pk]
    session.save()
    assert client.get(private.url).status_code == 200
    get_json(f"{API}/pages/{private.pk}/", status=404)


def test_descendants_of_a_private_page_are_private(client, get_json, make_service):
    private_parent = make_service("private-parent", title="Private parent")
    child = make_service("hidden-child", title="Obfuscated child page", parent=private_parent)
    restrict(private_parent, "login")
    assert_hidden_everywhere(client, get_json, child, "Obfuscated")


def test_unpublished_changes_serve_the_live_revision(get_json, ims_page):
    live_title = ims_page.title
    ims_page.title = "Draft title nobody should see"
    ims_page.introduction = "<p>Xylophonic draft introduction.</p>"
    ims_page.save_revision()  # saved, not published
    data = get_json(f"{API}/pages/{ims_page.pk}/")
    assert data["title"] == live_title
    assert "Xylophonic" not in data["introduction"]
    assert data["breadcrumbs"][-1]["title"] == live_title
    listing = get_json(f"{API}/pages/?type=pages.ServicePage&fields=title,introduction")
    titles = {item["title"] for item in listing["items"]}
    assert live_title in titles and "Draft title nobody should see" not in titles
    assert get_json(f"{API}/pages/?search=Xylophonic")["items"] == []


def test_unpublished_parent_is_not_referenced(get_json, ims_page, services_index, demo_site):
    services_index.unpublish()  # the admin asks about children; this leaves them live
    data = get_json(f"{API}/pages/{ims_page.pk}/")
    assert data["meta"]["parent"] is None
    assert [crumb["id"] for crumb in data["breadcrumbs"]] == [demo_site.pk, ims_page.pk]
    get_json(f"{API}/pages/{services_index.pk}/", status=404)
    get_json(f"{API}/pages/?child_of={services_index.pk}", status=400)
    assert services_index.pk not in listed_ids(get_json, f"&child_of={demo_site.pk}")


def test_private_child_is_not_listed_under_its_parent(get_json, make_service, services_index):
    private = make_service("private-child", title="Private child")
    restrict(private, "password")
    children = listed_ids(get_json, f"&child_of={services_index.pk}")
    assert private.pk not in children
    assert len(children) == 3  # the three demo services
    descendants = listed_ids(get_json, f"&descendant_of={services_index.pk}")
    assert private.pk not in descendants


def test_restricted_collection_images_and_documents_are_hidden(get_json, demo_site):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.models import Collection, CollectionViewRestriction

    from pages.models import ClinicImage

    root = Collection.get_first_root_node()
    private = root.add_child(name="Private")
    image = ClinicImage.objects.first()
    image.collection = private
    image.save()
    document = get_document_model()(title="Staff rota", collection=private)
    document.file.save("rota.txt", ContentFile(b"rota"), save=True)
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type="password", password="pw"
    )
    images = {item["id"] for item in get_json(f"{API}/images/")["items"]}
    assert image.pk not in images and len(images) == 2
    get_json(f"{API}/images/{image.pk}/", status=404)
    get_json(f"{API}/documents/{document.pk}/", status=404)
    assert get_json(f"{API}/documents/")["meta"]["total_count"] == 0
