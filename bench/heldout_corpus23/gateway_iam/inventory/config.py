import os

ASSETS_TABLE = os.environ.get("ASSETS_TABLE", "inventory-assets")
AUDIT_TABLE = os.environ.get("AUDIT_TABLE", "inventory-audit")
TENANTS_TABLE = os.environ.get("TENANTS_TABLE", "inventory-tenants")
CATALOG_TABLE = os.environ.get("CATALOG_TABLE", "inventory-catalog")

OPERATOR_ROLES = frozenset(
    name.strip()
    for name in os.environ.get("OPERATOR_ROLES", "inventory-operator").split(",")
    if name.strip()
)

DEFAULT_PAGE_SIZE = 50
STALE_AFTER_DAYS = int(os.environ.get("STALE_AFTER_DAYS", "90"))
