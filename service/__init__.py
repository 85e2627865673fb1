"""The Dense model server: reads the model repository and serves its versions over HTTP."""

__version__ = "0.1.0"
