"""Codecs: request bytes <-> core requests and answers, for the native, TensorFlow Serving and
Open Inference Protocol v2 dialects. No transport is imported here: HTTP (and gRPC) reuse them."""
