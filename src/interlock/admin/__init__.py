"""Managing the organisation: the admin API, its roles and audit trail, shared with the CLI."""
