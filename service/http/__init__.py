"""The HTTP transport: the only package that imports FastAPI, Starlette or uvicorn."""
