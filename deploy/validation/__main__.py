"""python -m deploy.validation (make manifests-check): every manifest in deploy/ validated
offline; one line per manifest, problems named, exit 1 when there is any."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from deploy.validation import kserve, kubernetes, kustomize
from deploy.validation.documents import DEPLOY, KSERVE_DIR, KUBERNETES_DIR, Manifest, load_dir


def report(manifests: list[Manifest], check: Callable[[Manifest], list[str]],
           against: str) -> list[str]:
    found = []
    for manifest in manifests:
        problems = check(manifest)
        found += problems
        print(f"{'FAIL' if problems else 'ok  '} {manifest.where()} ({against})")
    return found


def main() -> int:
    versions = f"Kubernetes {', '.join(kubernetes.VERSIONS)}, strict"
    core = [m for m in load_dir(KUBERNETES_DIR) if not m.is_kustomization]
    problems = report(core, kubernetes.problems, versions)
    problems += kustomize.reference_problems()
    if kustomize.kubectl():
        for components in ((), (kustomize.COMPONENT,)):
            problems += report(kustomize.render(components), kubernetes.problems, versions)
    else:
        print("skip kubectl kustomize (kubectl not installed): files checked one by one only")
    crds = os.path.relpath(kserve.crd_dir(), DEPLOY.parent)
    problems += report(load_dir(KSERVE_DIR), kserve.problems,
                       f"KServe CRDs in {crds}, closed to unknown fields")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
