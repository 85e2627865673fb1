"""The gRPC transport: TensorFlow Serving's PredictionService and ModelService, KServe's
GRPCInferenceService, health and reflection, over the same core and codecs as HTTP."""
