"""The serving core, which no transport owns: the repository scan, loading, the registry of
served versions (manager and version policy), batching, and one inference entry point. It
imports no web framework; HTTP and gRPC call it through the protocol codecs."""
