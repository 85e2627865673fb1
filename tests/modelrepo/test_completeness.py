"""Which files make a version complete."""

from __future__ import annotations

import pytest

from modelrepo.completeness import missing_files

BASE = {"saved_model.pb", "variables/variables.index"}


@pytest.mark.parametrize(("names", "missing"), [
    (set(), ["saved_model.pb", "variables/variables.index"]),
    ({"saved_model.pb"}, ["variables/variables.index"]),
    (BASE, ["variables/variables.data-*"]),
    (BASE | {"variables/variables.data-00000-of-00001"}, []),
    (BASE | {"variables/variables.data-00001-of-00003"},
     ["variables/variables.data-00000-of-00003", "variables/variables.data-00002-of-00003"]),
    (BASE | {f"variables/variables.data-0000{k}-of-00003" for k in range(3)}, []),
])
def test_missing_files_names_every_absent_shard(names: set[str], missing: list[str]) -> None:
    assert missing_files(names) == missing
