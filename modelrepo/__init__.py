"""The model repository's layout rules, shared by its writer (`training`) and its reader
(`service`): which names are models, versions and labels, what `labels.json` holds, and which
files make a version complete. Neither package imports the other; both import this one."""
