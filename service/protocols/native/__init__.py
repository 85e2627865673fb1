"""The native protocol: POST /predict/{model} and the /models views."""
