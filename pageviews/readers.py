"""Who is reading, without storing who: a salted hash of IP and User-Agent.

The salt is random, made once per local day and kept only in the cache (two days), so a hash
cannot be linked to an address after the salt expires, and the same reader gets unrelated
hashes on different days. Neither the address nor the User-Agent is stored anywhere.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.core.cache import BaseCache
from django.http import HttpRequest

SALT_KEY_PREFIX = "page-views:salt:"
SALT_LIFETIME = 2 * 24 * 60 * 60  # outlives the day it is for, then is gone for good


def client_ip(request: HttpRequest, header: str = "") -> str:
    """The reader's address: REMOTE_ADDR, or the last hop of `header` set by our own proxy."""
    if header:
        meta_key = "HTTP_" + header.upper().replace("-", "_")
        forwarded = request.META.get(meta_key, "")
        if forwarded:
            # The right-most entry is the one our proxy appended; earlier ones are client-supplied.
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def daily_salt(cache: BaseCache, day: datetime.date) -> str:
    """The salt for `day`, the same in every process sharing `cache` (first writer wins)."""
    key = f"{SALT_KEY_PREFIX}{day.isoformat()}"
    salt = cache.get(key)
    if salt is None:
        cache.add(key, secrets.token_hex(16), SALT_LIFETIME)
        salt = cache.get(key)
    return salt


def reader_hash(salt: str, *parts: object) -> str:
    """A hex digest of the salted parts (IP, User-Agent, page id…), never reversible to them."""
    digest = hashlib.blake2b(digest_size=16, key=salt.encode())
    for part in parts:
        digest.update(str(part).encode("utf-8", "replace"))
        digest.update(b"\x00")
    return digest.hexdigest()
