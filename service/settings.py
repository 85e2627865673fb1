"""The service's one settings class; every field has an environment-variable twin."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from modelrepo.layout import MODEL_NAME_RULE, is_model_name


def default_max_connections() -> int:
    """Open connections the process's file-descriptor limit allows, less a reserve for model
    files and sockets; at most 4096."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, ValueError, OSError):
        return 1024
    if soft == resource.RLIM_INFINITY:
        return 4096
    return max(16, min(4096, soft - 256))


def default_inflight_bytes() -> int:
    """A quarter of the machine's memory, at most 4 GiB (and 1 GiB where it cannot be read)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 1 << 30
    return max(64 << 20, min(4 << 30, total // 4))


def usable_cores() -> int:
    """The cores this process may run on (its affinity), for WORKERS=auto."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class Settings(BaseSettings):
    """Read once at start-up from the environment (names as below, case-insensitive) and flags."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore",
                                      protected_namespaces=())

    model_repository: Path = Field(Path("models"), description="repository root")
    model_name: str | None = Field(None, description="single-model mode: the one model's name "
                                   "(with model_base_path)")
    model_base_path: Path | None = Field(None, description="single-model mode: the directory "
                                         "holding the model's version directories")
    model_config_file: Path | None = Field(None, description="a TensorFlow Serving model config "
                                           "(text ModelServerConfig) naming models and paths")
    workers: int = Field(1, ge=1, le=64, description="worker processes (auto: usable cores)")
    host: str = Field("127.0.0.1", description="address to bind")
    port: int = Field(8000, ge=0, le=65535, description="port to bind (0: any free port)")
    grpc_port: int = Field(8500, ge=0, le=65535, description="gRPC port on the same host "
                           "(0: no gRPC server)")
    poll_interval_seconds: float = Field(2.0, gt=0, description="repository polling period")
    version_settle_seconds: float = Field(
        2.0, ge=0, description="a complete version loads once nothing in it changed for this "
                               "long (file change times, or the same listing across polls)")
    ready_requires_all_models: bool = Field(False, description="/health/ready waits for every "
                                            "model found, even one that only ever failed")
    max_batch_size: int = Field(64, ge=1, description="rows per coalesced signature call")
    max_batch_wait_ms: float = Field(0.5, ge=0, description="longest a request waits for company")
    max_request_bytes: int = Field(16 * 1024 * 1024, ge=1024, description="request body limit")
    max_instances: int = Field(1_000_000, ge=1, description="rows per request")
    max_concurrency: int = Field(512, ge=1, description="requests in flight before 503 "
                                 "(health and /metrics exempt)")
    max_header_bytes: int = Field(64 * 1024, ge=1024, description="request line and headers "
                                  "(431 beyond)")
    header_timeout_seconds: float = Field(10.0, gt=0, description="time for a request's line "
                                          "and headers to arrive (408 beyond)")
    keep_alive_seconds: float = Field(5.0, gt=0, description="idle time a connection is kept "
                                      "open between requests")
    body_timeout_seconds: float = Field(10.0, gt=0, description="time for a request's body to "
                                        "arrive once its headers have (408 beyond)")
    max_connections: int = Field(default_factory=lambda: default_max_connections(), ge=16,
                                 description="open HTTP connections; beyond, only health "
                                             "probes are answered")
    max_inflight_bytes: int = Field(default_factory=lambda: default_inflight_bytes(),
                                    ge=1024 * 1024, description="memory for request bodies "
                                    "being read and parsed and answers being sent (503 "
                                    "beyond)")
    request_timeout_seconds: float = Field(30.0, gt=0, description="per-request time limit, body "
                                           "upload included (408 or 504)")
    shutdown_grace_seconds: float = Field(10.0, ge=0, description="drain time on SIGTERM")
    inference_threads: int = Field(2, ge=1, description="threads running TensorFlow calls")
    inline_call_max_us: float = Field(50.0, ge=0, le=10_000, description="a batch whose "
                                      "signature call took at most this long at load runs on "
                                      "the event loop, not an inference thread (0: never)")
    memory_retain_mib: int = Field(128, ge=0, le=1_000_000, description="freed memory kept for "
                                   "the next request (glibc); 0: the allocator's defaults")
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["text", "json"] = "text"
    access_log: bool = Field(True, description="one log line per request")
    api_key: SecretStr | None = Field(None, description="Bearer token; unset: no auth")
    api_key_scope: Literal["admin", "all"] = Field("admin", description="routes the key guards")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="allowed CORS origins, comma-separated; empty: off")

    @field_validator("workers", mode="before")
    @classmethod
    def _auto_workers(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() == "auto":
            return usable_cores()
        return value

    @field_validator("model_name")
    @classmethod
    def _model_name(cls, value: str | None) -> str | None:
        if value is not None and not is_model_name(value):
            raise ValueError(f"{value!r} is not a model name: {MODEL_NAME_RULE}")
        return value

    @model_validator(mode="after")
    def _one_way_to_name_models(self) -> Settings:
        if (self.model_name is None) != (self.model_base_path is None):
            raise ValueError("single-model mode needs both MODEL_NAME (--model-name) and "
                             "MODEL_BASE_PATH (--model-base-path)")
        if self.model_name is not None and self.model_config_file is not None:
            raise ValueError("give either --model-name/--model-base-path or "
                             "--model_config_file, not both")
        return self

    @field_validator("api_key")
    @classmethod
    def _no_empty_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            raise ValueError("API_KEY is set but empty: unset it to turn authentication off")
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value
