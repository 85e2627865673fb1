"""Request parsing and response formatting for the standard protocols (TensorFlow Serving REST,
Open Inference Protocol v2). Routes stay thin; inference always goes through InferenceCore."""
