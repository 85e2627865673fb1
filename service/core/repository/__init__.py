"""The model repository as the server reads it (TensorFlow Serving's Source)."""
