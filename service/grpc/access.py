"""Which gRPC methods the API key guards, by API_KEY_SCOPE, as for HTTP: in the admin scope,
what reveals the repository (model metadata and status); predictions, readiness, server
metadata and reflection are open. Health is never guarded."""

from __future__ import annotations

HEALTH = "/grpc.health.v1.Health/"
ADMIN_METHODS = frozenset({
    "/tensorflow.serving.PredictionService/GetModelMetadata",
    "/tensorflow.serving.ModelService/GetModelStatus",
    "/tensorflow.serving.ModelService/HandleReloadConfigRequest",
    "/inference.GRPCInferenceService/ModelMetadata",
})
OPEN_PREFIXES = ("/tensorflow.serving.PredictionService/", "/inference.GRPCInferenceService/",
                 "/grpc.reflection.")


def guarded(method: str, scope: str) -> bool:
    if method.startswith(HEALTH):
        return False
    if scope == "all":
        return True
    return method in ADMIN_METHODS or not method.startswith(OPEN_PREFIXES)
