"""Deployment beyond one process: nginx in front of replicas (`deploy.nginx`), the replica
failure test (`deploy.cluster`), Kubernetes and KServe manifests and their offline validation
(`deploy.validation`)."""
