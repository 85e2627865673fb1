"""Answer shapes the row-format protocols share (native and TensorFlow Serving)."""

from __future__ import annotations

from service.core.types import Prediction


def row_predictions(prediction: Prediction) -> object:
    """One value per row for a single output; an object per row for several."""
    names = prediction.signature.output_names
    if len(names) == 1:
        return prediction.outputs[names[0]]
    # NumPy scalars and row views, not Python floats: the answer keeps each output's dtype
    # (a float32 is written as its shortest float32 form, 0.78816408, not 0.7881640791893005).
    outputs = [prediction.outputs[n] for n in names]
    return [dict(zip(names, row, strict=True)) for row in zip(*outputs, strict=True)]
