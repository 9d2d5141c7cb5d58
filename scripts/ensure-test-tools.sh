#!/usr/bin/env bash
# Makes sure the Debian programs the test suite drives are installed. Idempotent: installs only
# what is missing, with one apt-get call, as root; otherwise it names the command to run.
#   chromium      /usr/bin/chromium: docs site, proxy browser page, MP4 playback (playwright-core)
#   redis-server  distributed batch tests (each test starts its own on a free loopback port)
#   ffmpeg        ffprobe/ffmpeg check the simulator's H.264 MP4s
#   golang-go + golang-github-getkin-kin-openapi-dev   the OpenAPI 3.0 consumer check (offline GOPATH build)
#   python3-yaml  the YAML 1.1 reader check of openapi.yaml
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
{ command -v ffmpeg && command -v ffprobe; } >/dev/null 2>&1 || missing+=(ffmpeg)
command -v go >/dev/null 2>&1 || missing+=(golang-go)
[ -d /usr/share/gocode/src/github.com/getkin/kin-openapi/openapi3filter ] || missing+=(golang-github-getkin-kin-openapi-dev)
python3 -c 'import yaml' >/dev/null 2>&1 || missing+=(python3-yaml)

[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing the test suite's Debian packages: ${missing[*]} (apt-get install)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi

cat >&2 <<MSG
error: the test suite needs these Debian packages: ${missing[*]}
Install them once, then rerun:
  sudo apt-get update && sudo apt-get install -y ${missing[*]}
MSG
exit 1
