import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/admin/dialogues/dialogue/",
        "/admin/dialogues/dialogue/add/",
        "/admin/dialogues/dialogue/{dialogue}/change/",
        "/admin/dialogues/situationalpicture/",
        "/admin/dialogues/situationalpicture/{picture}/change/",
        "/admin/dialogues/indicator/",
        "/admin/dialogues/indicator/add/",
        "/admin/dialogues/submission/",
        "/admin/dialogues/concern/",
    ],
)
def test_admin_pages_for_dialogues_open(client_for, demo_pledge, path):
    from dialogues.models import Dialogue, SituationalPicture

    url = path.format(
        dialogue=Dialogue.objects.first().pk, picture=SituationalPicture.objects.first().pk
    )
    assert client_for("admin").get(url).status_code == 200
