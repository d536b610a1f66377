"""Page view counting, its own app: the model (models), settings (conf), bot rules (bots),
reader hashing (readers), the one recording entry point and bulk totals (service), the beacon
(beacon), the admin report (report, admin_views), CSV import (importer).

Other apps call it only through `pageviews.api`.
"""
