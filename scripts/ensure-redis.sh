#!/usr/bin/env bash
# Makes sure Debian's redis-server is on PATH for the distributed batch tests (packages/batch),
# which start and stop their own redis-server on a free loopback port. Idempotent: does nothing
# when it is already installed. As root it installs the Debian package `redis-server` with
# apt-get; otherwise it explains how.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Redis for the batch tests (apt-get install redis-server)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  exit 0
fi

cat >&2 <<'MSG'
error: the batch tests need Debian's redis-server on PATH.
Install it once, then rerun:
  sudo apt-get update && sudo apt-get install -y redis-server
MSG
exit 1
