"""The side-by-side comparison's medians, from made-up rounds (speed is never asserted)."""

from __future__ import annotations

from benchmarks import side_by_side


def round_of(ceiling: float, old: float, new: float) -> dict:
    def row(rps: float) -> dict:
        return {"cpu_us_per_request": round(1e6 / rps, 1), "requests_per_second": rps,
                "errors": 0}
    return {"ceiling": row(ceiling), "rev abc": row(old), "this checkout": row(new)}


def test_medians_take_each_servers_middle_round_and_ratios_per_round() -> None:
    rounds = [round_of(5000, 4000, 4800), round_of(3000, 2000, 2100), round_of(6000, 5000, 5500)]
    found = side_by_side.medians(rounds)
    assert found["rev abc"]["requests_per_second"] == 4000
    assert found["this checkout"]["cpu_us_per_request"] == round(1e6 / 4800, 1)
    # per round 1.2, 1.05 and 1.1 against the revision: the median of the ratios, not the
    # ratio of the medians (4800 / 4000 = 1.2)
    assert found["this checkout"]["requests_vs_first_revision"] == 1.1
    assert found["ceiling"]["requests_vs_first_revision"] == 1.25
    assert found["rev abc"]["requests_vs_first_revision"] == 1.0


def test_medians_without_a_revision_have_no_ratio() -> None:
    rounds = [{"ceiling": {"cpu_us_per_request": 200.0, "requests_per_second": 5000.0},
               "this checkout": {"cpu_us_per_request": 250.0, "requests_per_second": 4000.0}}]
    found = side_by_side.medians(rounds)
    assert found["this checkout"]["requests_vs_first_revision"] is None
    assert found["ceiling"]["cpu_us_per_request"] == 200.0
