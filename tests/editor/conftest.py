import pytest

from tests.users.helpers import make_role_users


@pytest.fixture
def people(demo_site):
    return make_role_users()
