"""Which paths are health probes, which are open without the API key in the admin scope, and
which are exempt from the concurrency limit."""

from __future__ import annotations

from starlette.types import Scope

HEALTH_PATHS = frozenset({"/health/live", "/health/ready", "/v2/health/live",
                          "/v2/health/ready"})
OPEN_GETS = frozenset({"/v2", "/docs", "/openapi.json"})
UNLIMITED = HEALTH_PATHS | {"/metrics"}  # probes and monitoring must work under overload


def route_path(scope: Scope) -> str:
    """The path after the app's root_path."""
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


def is_health(path: str) -> bool:
    return path in HEALTH_PATHS


def is_guarded(method: str, path: str, guard_all: bool) -> bool:
    """Whether a request needs the API key when one is set: in scope all every path but the
    health probes, in scope admin every path not public."""
    return not is_health(path) and (guard_all or not is_public_in_admin_scope(method, path))


def is_public_in_admin_scope(method: str, path: str) -> bool:
    """Prediction, v2 server/ready and docs: open when only admin routes are guarded."""
    if method == "POST":
        return path.startswith("/predict/") or (path.startswith("/v1/models/") and
                                                path.endswith(":predict")) or \
            (path.startswith("/v2/models/") and path.endswith("/infer"))
    if method in ("GET", "HEAD"):
        return path in OPEN_GETS or path.startswith("/docs/assets/") or \
            (path.startswith("/v2/models/") and path.endswith("/ready"))
    return False
