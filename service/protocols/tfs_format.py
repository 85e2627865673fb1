"""TensorFlow Serving REST API: request parsing and response shapes (its api_rest.md).

- status: `{"model_version_status": [{"version": "1", "state": "AVAILABLE",
  "status": {"error_code": "OK", "error_message": ""}}]}`, newest version first; a version that
  failed to load is `END` with `UNKNOWN` and the reason, as TensorFlow Serving reports it; a
  version on disk that is not loadable is `START` (incomplete, still being written) or `END`
  (refused, e.g. a symlink out of the repository) with `FAILED_PRECONDITION` and the reason.
- metadata: `{"model_spec": {...}, "metadata": {"signature_def": {"signature_def": {...}}}}`.
- predict: `instances` (row format) answers `predictions`; `inputs` (columnar) answers `outputs`.
  One output: its bare list; several: a list of objects (row) or an object of lists (columnar).
"""

from __future__ import annotations

from dataclasses import dataclass

from service.errors import BadRequest, NotFound
from service.inference import Columns, Prediction
from service.instances import columns_from_inputs, columns_from_instances, may_hold_booleans
from service.loader import SIGNATURE_KEY, SignatureInfo
from service.protocols.tfs_signatures import signature_defs
from service.registry import ModelRecord, ModelRegistry
from service.responses import parse_json
from service.routes.native import predictions
from service.servable import Servable, State

STATES = {State.LOADING: "LOADING", State.AVAILABLE: "AVAILABLE",
          State.UNLOADING: "UNLOADING", State.FAILED: "END"}


def version_status(servable: Servable) -> dict:
    failed = servable.state is State.FAILED
    return {"version": str(servable.version), "state": STATES[servable.state],
            "status": {"error_code": "UNKNOWN" if failed else "OK",
                       "error_message": (servable.error or "") if failed else ""}}


def _labelled_version(record: ModelRecord, label: str) -> int:
    if label not in record.labels:
        labels = ", ".join(sorted(record.labels)) or "none"
        raise NotFound(f"model {record.name!r} has no label {label!r} (labels: {labels})")
    return record.labels[label]


def model_status(registry: ModelRegistry, name: str, version: int | None,
                 label: str | None) -> dict:
    record = registry.record(name)
    if label is not None:
        version = _labelled_version(record, label)
    statuses = {v: version_status(s) for v, s in record.versions.items()}
    statuses.update({v: pending_status(v, e.problem) for v, e in record.on_disk.items()
                     if e.problem and v not in record.versions})
    if version is None:
        if not statuses:
            raise NotFound(f"Could not find any versions of model {name}")
        return {"model_version_status": [statuses[v] for v in sorted(statuses, reverse=True)]}
    if version not in statuses:
        raise NotFound(f"Could not find version {version} of model {name} (versions: "
                       f"{', '.join(map(str, sorted(statuses))) or 'none'})")
    return {"model_version_status": [statuses[version]]}


def pending_status(version: int, problem: str) -> dict:
    """A version on disk that is not loaded, with why: START while its files may still become
    loadable (incomplete, being written), END when it is refused."""
    return {"version": str(version), "state": "END" if problem.startswith("refused") else "START",
            "status": {"error_code": "FAILED_PRECONDITION", "error_message": problem}}


async def model_metadata(registry: ModelRegistry, name: str, version: int | None,
                         label: str | None) -> dict:
    servable = registry.resolve(name, version, label)
    defs = await signature_defs(servable)
    return {"model_spec": {"name": servable.model, "signature_name": "",
                           "version": str(servable.version)},
            "metadata": {"signature_def": {"signature_def": defs}}}


@dataclass(frozen=True)
class PredictBody:
    signature: str
    columnar: bool
    tensors: object  # the value of "instances" or of "inputs"
    maybe_bool: bool

    def parser(self, max_rows: int):
        def parse(info: SignatureInfo) -> Columns:
            if self.signature not in ("", SIGNATURE_KEY):
                raise BadRequest(f'Serving signature name: "{self.signature}" not found in '
                                 f'signature def; this model has only "{SIGNATURE_KEY}"')
            if self.columnar:
                return columns_from_inputs(self.tensors, info.input_names, max_rows)
            return columns_from_instances(self.tensors, info.input_names, max_rows,
                                          self.maybe_bool)
        return parse


def predict_body(body: bytes) -> PredictBody:
    payload = parse_json(body)
    if not isinstance(payload, dict):
        raise BadRequest('the body must be a JSON object with "instances" (row format) or '
                         '"inputs" (columnar format), and optionally "signature_name"')
    signature = payload.get("signature_name", "")
    if not isinstance(signature, str):
        raise BadRequest("'signature_name' key must be a string value")
    if ("instances" in payload) == ("inputs" in payload):
        raise BadRequest("send exactly one of 'instances' (row format) or 'inputs' (columnar "
                         "format)" + ("; got both" if "inputs" in payload else ""))
    columnar = "inputs" in payload
    if not columnar and isinstance(payload["instances"], list) and not payload["instances"]:
        raise BadRequest("No values in 'instances' array: send at least one instance")
    maybe_bool = may_hold_booleans(body)
    return PredictBody(signature, columnar, payload["inputs" if columnar else "instances"],
                       maybe_bool)


def predict_answer(prediction: Prediction, columnar: bool) -> dict:
    if not columnar:
        return {"predictions": predictions(prediction)}
    names = prediction.info.output_names
    if len(names) == 1:
        return {"outputs": prediction.outputs[names[0]]}
    return {"outputs": {name: prediction.outputs[name] for name in names}}
