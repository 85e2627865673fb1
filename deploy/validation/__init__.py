"""Offline validation of the manifests in deploy/: Kubernetes' own kinds against the schemas
shipped with kubernetes-validate (strict), KServe's kinds against KServe's CRD schemas (closed
to unknown fields). `python -m deploy.validation` (make manifests-check) runs both."""
