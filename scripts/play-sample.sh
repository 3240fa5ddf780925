#!/usr/bin/env bash
# Set everything up (see setup.sh) and start the player on the bundled sample content.
# In a desktop session it opens a window (Esc or q quits); on a console-only machine
# it runs fullscreen on the screen, or headless when there is no screen at all
# (Ctrl+C quits). Extra arguments go to `signage play`, e.g. --for 30.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup.sh"
cd "$here"
args=(play -c config/player.yaml)
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  args+=(--windowed 1280x720)
fi
exec "$here/.venv/bin/signage" "${args[@]}" "$@"
