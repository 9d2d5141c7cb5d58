#!/usr/bin/env bash
# Makes sure the OpenAPI 3.0 consumer check (packages/consumers/test/spec-portable.test.ts) can
# run: Go and Debian's packaged kin-openapi sources (built offline in GOPATH mode against
# /usr/share/gocode), and PyYAML for the YAML 1.1 check. Idempotent: does nothing when all are
# installed. As root it installs the missing Debian packages with apt-get; otherwise it explains how.
set -euo pipefail

packages=()
command -v go >/dev/null 2>&1 || packages+=(golang-go)
[ -d /usr/share/gocode/src/github.com/getkin/kin-openapi/openapi3filter ] || packages+=(golang-github-getkin-kin-openapi-dev)
python3 -c 'import yaml' >/dev/null 2>&1 || packages+=(python3-yaml)

if [ "${#packages[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${packages[*]} for the spec consumer checks (apt-get install)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
  exit 0
fi

cat >&2 <<MSG
error: the spec consumer checks need Go, Debian's kin-openapi sources and PyYAML.
Install them once, then rerun:
  sudo apt-get update && sudo apt-get install -y ${packages[*]}
MSG
exit 1
