#!/usr/bin/env bash
# Prepare this checkout on a fresh Debian 12 / Raspberry Pi OS machine:
# system packages (Python venv support, a Chinese font) through apt when missing,
# then a virtual environment in .venv with the player installed.
#
#   bash scripts/setup.sh            # runtime only
#   bash scripts/setup.sh --test     # plus the test tools (pytest, hypothesis, ...)
#
# Idempotent: a second run installs nothing unless pyproject.toml changed.
# Uses sudo for apt only when not run as root.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
extras=""
apt_extra=()
# Test-only tools: libfaketime runs the real player under a false clock; systemd
# provides systemd-analyze, which checks the unit files (tests/test_install.py);
# libzbar0 is the QR decoder behind pyzbar (tests/test_qr.py reads rendered codes);
# libreoffice-writer-nogui converts .doc/.wps/.rtf/.odt for real in tests/test_documents*.py
# (on a player it is optional: docs/content.md); fonts-wqy-microhei is a TrueType CJK
# face reportlab can embed in the test PDFs; prometheus brings the real prometheus and
# promtool that scrape `signage fleet receive` and check deploy/prometheus/
# (tests/test_prometheus.py).
for arg in "$@"; do
  case "$arg" in
    --test) extras="[test]"; apt_extra=(faketime systemd libzbar0 libreoffice-writer-nogui fonts-wqy-microhei prometheus) ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf '==> %s\n' "$*" >&2; }

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
    say "not root and no sudo: apt packages cannot be installed; continuing with what is there"
  fi
fi

apt_updated=0
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    say "apt-get not found; please install: $*"; return 1
  fi
  if [ "$apt_updated" -eq 0 ]; then
    say "apt-get update"
    "${sudo_cmd[@]}" apt-get update -q >/dev/null
    apt_updated=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

# 1. Python 3.11+ with venv and pip.
py="${PYTHON:-python3}"
if ! command -v "$py" >/dev/null 2>&1; then
  apt_install python3 python3-venv python3-pip
fi
if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "setup.sh: $("$py" --version 2>&1) is too old; the player needs Python 3.11 or newer (Debian 12 has it)" >&2
  exit 2
fi
if ! "$py" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  ver="$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
  apt_install "python${ver}-venv" || apt_install python3-venv
fi

# 2. A Simplified Chinese font (the player refuses to draw boxes without one).
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh-cn family 2>/dev/null)" ]; then
  apt_install fontconfig fonts-noto-cjk || apt_install fontconfig fonts-wqy-microhei
fi

# 3. Test-only system tools (only those missing).
missing=()
for package in "${apt_extra[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
fi

# 4. Virtual environment with the player (editable, so the checkout is what runs).
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
  say "creating $venv"
  rm -rf "$venv"
  "$py" -m venv "$venv"
fi
stamp="$venv/.signage-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)$extras"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "installing the player and its Python packages into .venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -e ".$extras"
  echo "$want" > "$stamp"
fi
say "ready: $venv/bin/signage"
