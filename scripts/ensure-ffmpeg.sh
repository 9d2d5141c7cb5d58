#!/usr/bin/env bash
# Makes sure ffmpeg and ffprobe are on PATH for the simulator's media test (packages/mock), which
# checks that its MP4 files carry an H.264 stream ffprobe lists and ffmpeg decodes. Idempotent:
# does nothing when both are installed. As root it installs the Debian package `ffmpeg` with
# apt-get; otherwise it explains how.
set -euo pipefail

if command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ffmpeg for the simulator's media test (apt-get install ffmpeg)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null
  exit 0
fi

cat >&2 <<'MSG'
error: the simulator's media test needs ffmpeg and ffprobe (the Debian package `ffmpeg`).
Install it once, then rerun:
  sudo apt-get update && sudo apt-get install -y ffmpeg
MSG
exit 1
