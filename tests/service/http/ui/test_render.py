"""The pages' template environment: autoescaping on, undefined names an error, numbers
formatted for people."""

from __future__ import annotations

import pytest
from jinja2 import UndefinedError

from service.http.ui.render import ENVIRONMENT, error, r2


def test_every_value_is_escaped() -> None:
    html = ENVIRONMENT.from_string("<p title='{{ v }}'>{{ v }}</p>").render(
        v="<script>alert('x')</script>")
    assert "<script>" not in html
    assert html == ("<p title='&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;'>"
                    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>")


def test_an_undefined_name_fails_instead_of_rendering_empty() -> None:
    with pytest.raises(UndefinedError):
        ENVIRONMENT.from_string("{{ missing.field }}").render()


@pytest.mark.parametrize(("value", "shown"), [(None, "–"), (0.60378, "0.604"), (-0.002, "-0.002"),
                                              (1.0, "1.000")])
def test_r2_has_three_decimals(value: float | None, shown: str) -> None:
    assert r2(value) == shown


@pytest.mark.parametrize(("value", "shown"), [(None, "–"), (0.0, "0"), (18.4446, "18.44"),
                                              (3.0, "3"), (5.46e-07, "5.46e-07"),
                                              (1234567.0, "1.23e+06")])
def test_errors_have_four_significant_digits(value: float | None, shown: str) -> None:
    assert error(value) == shown
