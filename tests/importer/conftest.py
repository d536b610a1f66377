from __future__ import annotations

import pytest

from tests.importer.old_site import OldSite, plain_site, wix_site


@pytest.fixture
def wix() -> OldSite:
    with wix_site() as site:
        yield site


@pytest.fixture
def plain() -> OldSite:
    with plain_site() as site:
        yield site
