"""make cluster-test: replicas behind nginx, one killed and one stopped under load."""
