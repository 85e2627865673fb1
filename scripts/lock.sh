#!/usr/bin/env bash
# Regenerates requirements.lock (runtime) and requirements-dev.lock (runtime + dev tools) from
# pyproject.toml: each is a `pip freeze` of a fresh virtualenv. Run on Linux x86-64; TensorFlow's
# line is then written with platform markers (tensorflow-cpu here, tensorflow elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/rt" && "$work/rt/bin/pip" install --quiet .
python3 -m venv "$work/dev" && "$work/dev/bin/pip" install --quiet ".[dev]"
"$work/rt/bin/pip" freeze --exclude dense-serving > "$work/rt.txt"
"$work/dev/bin/pip" freeze --exclude dense-serving > "$work/dev.txt"
rm -rf build ./*.egg-info
{
  echo "# Runtime lock: exact versions for \`make install\` and the container image."
  echo "# Made by \`make lock\` (scripts/lock.sh): pip freeze of a fresh venv with pyproject.toml's"
  echo "# runtime dependencies. TensorFlow's CPU wheel on Linux x86-64, the full wheel elsewhere."
  # The dev tools may need older shared pins (e.g. ml_dtypes for tritonclient): take the dev
  # venv's version of every runtime package so both locks install together.
  while IFS= read -r line; do
    pkg=${line%%==*}
    dev_line=$(grep -i "^${pkg}==" "$work/dev.txt" || true)
    line=${dev_line:-$line}
    case "${pkg,,}" in
      tensorflow-cpu|tensorflow_cpu)
        v=${line#*==}
        echo "tensorflow-cpu==$v ; sys_platform == \"linux\" and platform_machine == \"x86_64\""
        echo "tensorflow==$v ; sys_platform != \"linux\" or platform_machine != \"x86_64\"" ;;
      *) echo "$line" ;;
    esac
  done < "$work/rt.txt"
} > requirements.lock
{
  echo "# Development lock: the runtime lock plus tests, lint and benchmark tools. Made by \`make lock\`."
  echo "-r requirements.lock"
  grep -v -i -x -F -f <(sed 's/ ;.*//' requirements.lock | grep -v '^#') "$work/dev.txt" \
    | grep -v -i '^tensorflow'
} > requirements-dev.lock
echo "wrote requirements.lock and requirements-dev.lock"
