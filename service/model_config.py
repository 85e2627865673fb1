"""Which models to serve when they are named rather than found: single-model mode
(`--model-name` with `--model-base-path`, as KServe's storage initializer lays one model out at
/mnt/models) or TensorFlow Serving's model config file (`--model_config_file`)."""

from __future__ import annotations

from pathlib import Path

from modelrepo.layout import MODEL_NAME_RULE, is_model_name
from service.settings import Settings

MAX_CONFIG_BYTES = 1024 * 1024


class ConfigError(Exception):
    """The model config cannot be used; the message says why and what is accepted."""


def check_sources(settings: Settings) -> None:
    """ConfigError (exit 2) before anything loads when the models to serve cannot be where the
    settings say: a repository or base path that is missing or is a file."""
    if settings.model_name is not None and settings.model_base_path is not None:
        _check_directory(settings.model_base_path, "MODEL_BASE_PATH (--model-base-path)")
    elif settings.model_config_file is None:
        _check_directory(settings.model_repository, "MODEL_REPOSITORY (--repository)")


def _check_directory(path: Path, setting: str) -> None:
    if not path.exists():
        raise ConfigError(f"{setting} {path} does not exist: train models into it first "
                          "(make train, or python -m training --repository ...) or point the "
                          "setting at a model repository")
    if not path.is_dir():
        raise ConfigError(f"{setting} {path} is a file, not a directory: point it at a model "
                          "repository (a directory of <model>/<version>/ directories)")


def named_models(settings: Settings) -> dict[str, Path] | None:
    """Model name -> base path, or None to serve every model directory of the repository."""
    if settings.model_name is not None and settings.model_base_path is not None:
        return {settings.model_name: settings.model_base_path}
    if settings.model_config_file is not None:
        return read_model_config(settings.model_config_file)
    return None


def read_model_config(path: Path) -> dict[str, Path]:
    """The models of a text-format ModelServerConfig (model_config_list); relative base
    paths are read from the file's directory."""
    from google.protobuf import text_format
    from tensorflow_serving.config import model_server_config_pb2

    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"model config {path} is larger than 1 MiB")
        config = text_format.Parse(path.read_text(), model_server_config_pb2.ModelServerConfig())
    except OSError as exc:
        raise ConfigError(f"model config {path} cannot be read: {exc.strerror}") from None
    except text_format.ParseError as exc:
        raise ConfigError(f"model config {path}: {exc}") from None
    if config.HasField("custom_model_config") or not config.model_config_list.config:
        raise ConfigError(f"model config {path} lists no models: give model_config_list "
                          "{ config { name: '...' base_path: '...' } }")
    models = {}
    for entry in config.model_config_list.config:
        models[_name(entry, path)] = _base_path(entry, path)
    return models


def _name(entry, path: Path) -> str:  # noqa: ANN001 - a ModelConfig
    if not is_model_name(entry.name):
        raise ConfigError(f"model config {path}: {entry.name!r} is not a model name "
                          f"({MODEL_NAME_RULE})")
    if entry.model_platform not in ("", "tensorflow"):
        raise ConfigError(f"model config {path}: model {entry.name!r} has platform "
                          f"{entry.model_platform!r}; this server serves TensorFlow SavedModels")
    policy = entry.model_version_policy
    if policy.HasField("all") or policy.HasField("specific") or (
            policy.HasField("latest") and policy.latest.num_versions > 1):
        raise ConfigError(f"model config {path}: model {entry.name!r} asks for a version policy "
                          "other than the latest version; this server serves the latest and "
                          "every labelled version (labels.json)")
    if entry.version_labels:
        raise ConfigError(f"model config {path}: model {entry.name!r} has version_labels; put "
                          "labels in labels.json in its base path instead")
    return entry.name


def _base_path(entry, path: Path) -> Path:  # noqa: ANN001 - a ModelConfig
    if not entry.base_path:
        raise ConfigError(f"model config {path}: model {entry.name!r} has no base_path")
    base = Path(entry.base_path)
    return base if base.is_absolute() else path.parent / base
