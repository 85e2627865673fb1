"""Pure ASGI middleware: observability, authentication and CORS, limits, the body limit."""
