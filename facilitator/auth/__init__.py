"""Who may do what: local accounts with a role, checked by the app (login on by default)."""

from facilitator.auth.users import (
    ROLE_LABELS,
    ROLES,
    User,
    UserStore,
    allowed,
)

__all__ = ["ROLES", "ROLE_LABELS", "User", "UserStore", "allowed"]
