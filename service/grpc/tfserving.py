"""tensorflow.serving.PredictionService and ModelService over the core: Predict, GetModelMetadata,
GetModelStatus; Classify, Regress and MultiInference answered as TensorFlow Serving answers them
for a predict signature (INVALID_ARGUMENT naming the method the signature has)."""

from __future__ import annotations

from tensorflow_serving.apis import model_service_pb2_grpc, prediction_service_pb2_grpc

from service.core.errors import InvalidArgument
from service.core.inference import OFFLOAD_BYTES
from service.core.types import SIGNATURE_KEY
from service.grpc.calls import current_trace
from service.protocols.tfserving import metadata_protos, protos
from service.serving import ServingCore

METHODS = {"Classify": "tensorflow/serving/classify", "Regress": "tensorflow/serving/regress"}


class PredictionService(prediction_service_pb2_grpc.PredictionServiceServicer):
    def __init__(self, core: ServingCore) -> None:
        self.core = core
        self.max_elements = core.settings.max_request_bytes

    async def Predict(self, request, context):  # noqa: ANN001, ANN201, N802
        inference = self.core.inference
        large = request.ByteSize() > OFFLOAD_BYTES
        decoded = await inference.offload(protos.predict_request, request, self.max_elements) \
            if large else protos.predict_request(request, self.max_elements)
        trace = current_trace()
        inference.trace(decoded.address, trace)
        prediction = await inference.predict(decoded.address, decoded, trace, offload=large)
        return decoded.response(prediction)

    async def GetModelMetadata(self, request, context):  # noqa: ANN001, ANN201, N802
        servable = self.core.manager.resolve(protos.address_of(request.model_spec))
        return metadata_protos.model_metadata_response(servable, list(request.metadata_field))

    async def Classify(self, request, context):  # noqa: ANN001, ANN201, N802
        self._refuse("Classify", request.model_spec)

    async def Regress(self, request, context):  # noqa: ANN001, ANN201, N802
        self._refuse("Regress", request.model_spec)

    async def MultiInference(self, request, context):  # noqa: ANN001, ANN201, N802
        if not request.tasks:
            raise InvalidArgument("MultiInferenceRequest has no tasks")
        task = request.tasks[0]
        self._refuse(task.method_name or "MultiInference", task.model_spec)

    def _refuse(self, rpc: str, spec) -> None:  # noqa: ANN001
        servable = self.core.manager.resolve(protos.address_of(spec))
        name = spec.signature_name or SIGNATURE_KEY
        proto = servable.signature_defs.get(name)
        if proto is None:
            raise InvalidArgument(f'Serving signature name: "{name}" not found in signature def')
        wanted = METHODS.get(rpc, rpc)
        raise InvalidArgument(f"Expected {rpc.lower()} signature method_name to be {wanted}. "
                              f"Was: {proto.method_name}. This server answers signatures of "
                              "method tensorflow/serving/predict: send the inputs to Predict")


class ModelService(model_service_pb2_grpc.ModelServiceServicer):
    def __init__(self, core: ServingCore) -> None:
        self.core = core

    async def GetModelStatus(self, request, context):  # noqa: ANN001, ANN201, N802
        address = protos.address_of(request.model_spec)
        return metadata_protos.model_status_response(self.core.manager, address)
