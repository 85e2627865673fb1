"""The model browser: server-rendered HTML pages for people at `/` and `/ui/...`."""
