"""The Open Inference Protocol v2 (KServe, Triton, MLServer), REST form."""
