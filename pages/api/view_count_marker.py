"""How a view count is written into an answer that is about to be cached: a placeholder the
cache fills with the current total each time it serves the answer (pages/api/response_cache.py).
Kept apart so the serializer fields need not import the cache (which reads the page models)."""

# Context key holding the answer's random marker; absent when the answer is not cached.
VIEW_COUNT_MARKER_KEY = "clinic_view_count_marker"


def view_count_placeholder(marker: str, page_id: int) -> str:
    return f"{marker}:{page_id}"
