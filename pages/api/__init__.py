"""The headless content API: endpoint classes, serializer fields and block representations.

The router that mounts these endpoints lives in `cms/api.py`; page models list their API fields
from `pages.api.fields`.
"""
