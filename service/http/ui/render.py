"""The pages' Jinja2 environment: templates from this package, every value autoescaped (model
names, metadata and load errors come from the repository and are never trusted as HTML), an
undefined name an error instead of an empty string."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

HERE = Path(__file__).parent


def r2(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def error(value: float | None) -> str:
    """MAE or RMSE: four significant digits, plain notation for everyday sizes."""
    if value is None:
        return "–"
    return f"{value:.4g}" if value == 0 or 1e-3 <= abs(value) < 1e6 else f"{value:.2e}"


def make_environment() -> Environment:
    environment = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                              undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters.update(r2=r2, error=error)
    return environment


ENVIRONMENT = make_environment()


def render(template: str, **values: object) -> str:
    return ENVIRONMENT.get_template(template).render(**values)
