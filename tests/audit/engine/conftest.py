"""Fixtures for the engine tests: one real HTTP server per session on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fixture_site import FixtureSite

from audit.engine import EngineConfig, Thresholds


@pytest.fixture(scope="session")
def site() -> Iterator[FixtureSite]:
    server = FixtureSite(slow_seconds=0.8).start()
    yield server
    server.stop()


@pytest.fixture
def fast_config() -> EngineConfig:
    """Short timeouts and back-off so the suite stays fast; parsing in threads."""
    return EngineConfig(
        timeout=2.0,
        backoff=0.05,
        retry_after_cap=0.2,
        parse_workers=0,
        exclude=(r"/calendar",),
        thresholds=Thresholds(slow_response_ms=500),
    )
