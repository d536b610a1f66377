"""Engine version and the User-Agent it sends (kept apart to avoid import cycles)."""

__version__ = "0.1.0"

# The view counter treats the token "clinic-cms-audit" as a bot, so keep it first.
USER_AGENT = f"clinic-cms-audit/{__version__} (+https://github.com/clinic-cms/clinic-cms)"
UA_TOKEN = "clinic-cms-audit"

# Sent with every request, whatever the User-Agent, so a site can tell the auditor's
# visits from readers' (ours does not count them as page views).
AUDIT_HEADER = "X-SEO-Audit"
