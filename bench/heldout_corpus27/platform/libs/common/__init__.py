"""Code shared by the platform's services (tables, auth, audit, base models)."""
