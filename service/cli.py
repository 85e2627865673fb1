"""python -m service: parse flags over the environment, then serve (service.http.server)."""

from __future__ import annotations

import argparse
import logging
import signal
from pathlib import Path

from pydantic import ValidationError

from service.logs import configure_logging, import_tensorflow_quietly
from service.model_config import ConfigError, check_sources
from service.process import PortInUse, serve
from service.runtime.allocator import retain_freed_memory
from service.settings import Settings
from service.workers import Supervisor

FLAGS = {  # flag -> settings field; every other setting is read from the environment
    "repository": "model_repository",
    "model_name": "model_name",
    "model_base_path": "model_base_path",
    "model_config_file": "model_config_file",
    "host": "host",
    "port": "port",
    "grpc_port": "grpc_port",
    "workers": "workers",
    "poll_interval": "poll_interval_seconds",
    "log_level": "log_level",
    "log_format": "log_format",
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m service",
        description="Serve the model repository over HTTP. Every flag has an environment twin; "
                    "further settings are environment-only (see the README).")
    p.add_argument("--repository", type=Path, help="model repository (env MODEL_REPOSITORY; "
                                                   "default models)")
    p.add_argument("--model-name", "--model_name", dest="model_name",
                   help="single-model mode: the model's name (env MODEL_NAME)")
    p.add_argument("--model-base-path", "--model_base_path", dest="model_base_path", type=Path,
                   help="single-model mode: the directory of its version directories, as "
                        "KServe's storage initializer writes /mnt/models (env MODEL_BASE_PATH)")
    p.add_argument("--model_config_file", "--model-config-file", dest="model_config_file",
                   type=Path, help="TensorFlow Serving's model config (text ModelServerConfig: "
                                   "model_config_list of name and base_path; env "
                                   "MODEL_CONFIG_FILE)")
    p.add_argument("--host", help="address to bind (env HOST; default 127.0.0.1)")
    p.add_argument("--port", type=int, help="HTTP port (env PORT; default 8000); with "
                                            "--rest_api_port, the gRPC port (as in TensorFlow "
                                            "Serving)")
    p.add_argument("--rest_api_port", "--rest-api-port", dest="rest_api_port", type=int,
                   help="TensorFlow Serving's spelling of the HTTP port; --port then names the "
                        "gRPC port")
    p.add_argument("--grpc-port", type=int,
                   help="gRPC port (env GRPC_PORT; default 8500; 0: no gRPC server)")
    p.add_argument("--workers",
                   help="worker processes sharing the ports (env WORKERS; default 1; auto: "
                        "usable cores)")
    p.add_argument("--poll-interval", type=float,
                   help="seconds between repository polls (env POLL_INTERVAL_SECONDS; default 2)")
    p.add_argument("--log-level", choices=["debug", "info", "warning", "error"],
                   help="env LOG_LEVEL; default info")
    p.add_argument("--log-format", choices=["text", "json"],
                   help="text, or JSON lines for containers (env LOG_FORMAT; default text)")
    return p


def load_settings(argv: list[str] | None = None) -> Settings:
    """Settings from flags over the environment; a bad value exits 2 naming the setting."""
    cli = parser()
    args = vars(cli.parse_args(argv))
    rest_port = args.pop("rest_api_port")
    if rest_port is not None:  # TensorFlow Serving's meaning: --port is the gRPC port
        args["grpc_port"] = args["grpc_port"] if args["port"] is None else args["port"]
        args["port"] = rest_port
    overrides = {FLAGS[k]: v for k, v in args.items() if v is not None}
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        flags = {field: flag for flag, field in FLAGS.items()}
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            flag = f" (--{flags[field].replace('_', '-')})" if field in flags else ""
            got = "" if "key" in field else f", got {error['input']!r}"  # never echo secrets
            problems.append(f"{field.upper()}{flag}: {error['msg']}{got}")
        cli.error("invalid setting " + "; ".join(problems))


def main(argv: list[str] | None = None) -> int:
    settings = load_settings(argv)
    configure_logging(settings.log_level, settings.log_format)
    signal.signal(signal.SIGHUP, _hangup)
    try:
        check_sources(settings)
        if settings.workers > 1:  # the supervisor imports no TensorFlow; each worker does
            return Supervisor(settings).run()
        retain_freed_memory(settings.memory_retain_mib)  # before TensorFlow allocates anything
        if settings.log_format == "json":
            import_tensorflow_quietly()  # its native start-up notices are not JSON
        serve(settings)
    except (PortInUse, ConfigError) as exc:
        logging.getLogger("service").error("%s", exc)
        return 2
    logging.getLogger("service").info("exited cleanly")
    return 0


def _hangup(signum: int, frame: object) -> None:
    logging.getLogger("service").warning(
        "SIGHUP ignored: there is nothing to reload (the repository is polled); send SIGTERM "
        "to drain and stop")
