import pytest

from tests.users.helpers import make_role_users


@pytest.fixture
def people(demo_site):
    """An editor, a moderator, an administrator and a logged-in nobody, on the demo site (whose
    loader has granted the roles on the services and articles sections)."""
    return make_role_users()
