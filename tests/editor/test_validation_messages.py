"""What editors are told when a page cannot be published, through real admin POSTs."""

from __future__ import annotations

from pages.models import ClinicImage, ServiceIndexPage, ServicePage
from tests.users.helpers import client_for, editor_form_data, image_block, paragraph

ALT_MESSAGE = "Please add some alt text for your image or mark it as decorative"
HERO_MESSAGE = "Add alt text describing the hero image"


def _intro():
    from wagtail.test.utils.form_data import rich_text

    return rich_text("<p>Exercise in a warm pool for joints that hurt on land.</p>")


def create_service(client, body, action: str | None, slug: str = "hydrotherapy"):
    services = ServiceIndexPage.objects.get()
    url = f"/admin/pages/add/pages/servicepage/{services.pk}/"
    data = editor_form_data(
        client, url, body=body, title="Hydrotherapy", slug=slug, introduction=_intro()
    )
    if action:
        data[action] = "1"
    return client.post(url, data)


def test_submitting_an_image_without_alt_text_is_stopped_with_the_fix(people, demo_site):
    image = ClinicImage.objects.first()
    client = client_for(people["editor"])
    body = [paragraph("<p>Warm water eases the load.</p>"), image_block(image.pk)]
    response = create_service(client, body, "action-submit")
    assert response.status_code == 200  # the editor again, not a redirect
    html = response.content.decode()
    assert "could not be created due to validation errors" in html
    assert ALT_MESSAGE in html
    assert set(response.context["form"].errors) == {"body"}  # that is the only problem
    assert not ServicePage.objects.filter(slug="hydrotherapy").exists()


def test_a_moderator_cannot_publish_it_either(people, demo_site):
    image = ClinicImage.objects.first()
    client = client_for(people["moderator"])
    response = create_service(client, [image_block(image.pk)], "action-publish")
    assert response.status_code == 200
    assert ALT_MESSAGE in response.content.decode()
    assert not ServicePage.objects.filter(slug="hydrotherapy").exists()


def test_alt_text_or_the_decorative_flag_lets_it_through(people, demo_site):
    image = ClinicImage.objects.first()
    client = client_for(people["moderator"])
    with_alt = [image_block(image.pk, alt_text="Patient walking in a warm therapy pool")]
    assert create_service(client, with_alt, "action-publish").status_code == 302
    decorative = [image_block(image.pk, decorative=True)]
    response = create_service(client, decorative, "action-publish", slug="hydro-2")
    assert response.status_code == 302
    assert ServicePage.objects.get(slug="hydrotherapy").live
    assert ServicePage.objects.get(slug="hydro-2").live


def test_a_draft_may_be_saved_before_the_alt_text_is_written(people, demo_site):
    # Wagtail defers this check for drafts: it stops publishing and submitting, not saving.
    image = ClinicImage.objects.first()
    response = create_service(client_for(people["editor"]), [image_block(image.pk)], None)
    assert response.status_code == 302
    page = ServicePage.objects.get(slug="hydrotherapy")
    assert not page.live


def test_hero_image_without_alt_text_is_stopped_in_the_editor(people, demo_site):
    image = ClinicImage.objects.first()
    client = client_for(people["editor"])
    ims = ServicePage.objects.get(slug="ims")
    url = f"/admin/pages/{ims.pk}/edit/"
    data = editor_form_data(
        client,
        url,
        body=[paragraph("<p>Body.</p>")],
        hero_image=image.pk,
        hero_image_alt="",
    )
    data.pop("hero_image_decorative", None)
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "could not be saved due to validation errors" in html
    assert HERO_MESSAGE in html
    assert set(response.context["form"].errors) == {"hero_image_alt"}

    data["hero_image_decorative"] = "on"
    assert client.post(url, data).status_code == 302
