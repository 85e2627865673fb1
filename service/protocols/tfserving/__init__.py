"""TensorFlow Serving's REST API (its api_rest.md): status, metadata, predict."""
