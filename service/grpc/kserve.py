"""inference.GRPCInferenceService (the Open Inference Protocol, KServe v2) over the core:
ServerLive, ServerReady, ModelReady, ServerMetadata, ModelMetadata, ModelInfer."""

from __future__ import annotations

from tritonclient.grpc import service_pb2, service_pb2_grpc

from service.core.errors import Unavailable
from service.core.inference import OFFLOAD_BYTES
from service.grpc.calls import current_request_id, current_trace
from service.protocols.kserve import protos
from service.protocols.kserve.metadata import model_metadata, server_metadata
from service.serving import ServingCore


class InferenceService(service_pb2_grpc.GRPCInferenceServiceServicer):
    def __init__(self, core: ServingCore) -> None:
        self.core = core
        self.max_elements = core.settings.max_request_bytes

    async def ServerLive(self, request, context):  # noqa: ANN001, ANN201, N802
        return service_pb2.ServerLiveResponse(live=True)

    async def ServerReady(self, request, context):  # noqa: ANN001, ANN201, N802
        return service_pb2.ServerReadyResponse(ready=not self.core.not_ready())

    async def ModelReady(self, request, context):  # noqa: ANN001, ANN201, N802
        address = protos.address_of(request.name, request.version)
        try:
            self.core.manager.resolve(address)
        except Unavailable:
            return service_pb2.ModelReadyResponse(ready=False)
        return service_pb2.ModelReadyResponse(ready=True)

    async def ServerMetadata(self, request, context):  # noqa: ANN001, ANN201, N802
        return protos.message(server_metadata(), service_pb2.ServerMetadataResponse)

    async def ModelMetadata(self, request, context):  # noqa: ANN001, ANN201, N802
        servable = self.core.manager.resolve(protos.address_of(request.name, request.version))
        view = model_metadata(self.core.manager.record(request.name), servable)
        return protos.message(view, service_pb2.ModelMetadataResponse)

    async def ModelInfer(self, request, context):  # noqa: ANN001, ANN201, N802
        inference = self.core.inference
        large = request.ByteSize() > OFFLOAD_BYTES
        address, decoded = await inference.offload(
            protos.infer_request, request, self.max_elements) if large else \
            protos.infer_request(request, self.max_elements)
        trace = current_trace()
        inference.trace(address, trace)
        prediction = await inference.predict(address, decoded, trace, offload=large)
        return protos.infer_response(prediction, decoded, current_request_id())

