"""TensorFlow Serving's status and metadata answers.

- status: `{"model_version_status": [{"version": "1", "state": "AVAILABLE",
  "status": {"error_code": "OK", "error_message": ""}}]}`, newest version first; a version that
  failed to load is `END` with `UNKNOWN` and the reason, as TensorFlow Serving reports it; a
  version on disk that is not loadable is `START` (incomplete, still being written) or `END`
  (refused, e.g. a symlink out of the repository) with `FAILED_PRECONDITION` and the reason.
- metadata: `{"model_spec": {...}, "metadata": {"signature_def": {"signature_def": {...}}}}`.
"""

from __future__ import annotations

from service.core.errors import NotFound
from service.core.registry.manager import ModelManager, label_target
from service.core.registry.servable import Servable
from service.core.status import VersionStatus, version_statuses
from service.core.types import Address, VersionState

STATES = {VersionState.LOADING: "LOADING", VersionState.AVAILABLE: "AVAILABLE",
          VersionState.UNLOADING: "UNLOADING", VersionState.FAILED: "END"}


def version_view(status: VersionStatus) -> dict:
    if status.state is VersionState.PENDING:
        assert status.problem is not None
        return {"version": str(status.version),
                "state": "END" if status.problem.refused else "START",
                "status": {"error_code": "FAILED_PRECONDITION", "error_message": status.error}}
    failed = status.state is VersionState.FAILED
    return {"version": str(status.version), "state": STATES[status.state],
            "status": {"error_code": "UNKNOWN" if failed else "OK",
                       "error_message": (status.error or "") if failed else ""}}


def addressed_statuses(manager: ModelManager, address: Address) -> list[VersionStatus]:
    """Every version's status, newest first, or the addressed version's (TF Serving's
    GetModelStatus, for REST and gRPC)."""
    record = manager.record(address.model)
    version = address.version
    if address.label is not None:
        version = label_target(record, address.label)
    statuses = version_statuses(record)
    name = record.name
    if version is None:
        if not statuses:
            raise NotFound(f"Could not find any versions of model {name}")
        return list(reversed(statuses.values()))
    if version not in statuses:
        raise NotFound(f"Could not find version {version} of model {name}",
                       f" (versions: {', '.join(map(str, statuses)) or 'none'})")
    return [statuses[version]]


def model_status(manager: ModelManager, address: Address) -> dict:
    return {"model_version_status": [version_view(s)
                                     for s in addressed_statuses(manager, address)]}


def model_metadata(servable: Servable) -> dict:
    from google.protobuf import json_format

    defs = {name: json_format.MessageToDict(proto, preserving_proto_field_name=True,
                                            always_print_fields_with_no_presence=True)
            for name, proto in servable.signature_defs.items()}
    return {"model_spec": {"name": servable.model, "signature_name": "",
                           "version": str(servable.version)},
            "metadata": {"signature_def": {"signature_def": defs}}}
