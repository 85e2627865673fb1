"""POST /v2/models/{name}[/versions/{v}]/infer: the Open Inference Protocol v2 codec."""

from __future__ import annotations

from service.protocols.codec import Header
from service.protocols.kserve.answer import HEADER_LENGTH
from service.protocols.kserve.request import InferRequest, infer_request


class KServeCodec:
    name = "kserve"

    def quick_decode(self, body: bytes, max_rows: int) -> None:
        return None

    def decode(self, body: bytes, header: Header, max_rows: int) -> InferRequest:
        return infer_request(body, header(HEADER_LENGTH))
