"""Answer shapes the row-format protocols share (native and TensorFlow Serving)."""

from __future__ import annotations

from service.core.types import Prediction


def row_predictions(prediction: Prediction) -> object:
    """One value per row for a single output; an object per row for several."""
    names = prediction.signature.output_names
    if len(names) == 1:
        return prediction.outputs[names[0]]
    rows = zip(*(prediction.outputs[n].tolist() for n in names), strict=True)
    return [dict(zip(names, row, strict=True)) for row in rows]
