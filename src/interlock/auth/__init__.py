"""Zero-trust identity: API keys and JWTs resolved to (identity, team, application, policy)."""
