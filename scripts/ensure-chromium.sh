#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the docs test (packages/docs), which
# drives it headless with playwright-core. Idempotent: does nothing when it is already installed.
# As root it installs the Debian package `chromium` with apt-get; otherwise it explains how.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium for the docs test (apt-get install chromium)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi

cat >&2 <<'MSG'
error: the docs test needs Chromium at /usr/bin/chromium (the Debian package `chromium`).
Install it once, then rerun:
  sudo apt-get update && sudo apt-get install -y chromium
MSG
exit 1
