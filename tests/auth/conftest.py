from tests.auth.fixtures import database, env, idp, store

__all__ = ["database", "env", "idp", "store"]
