#!/usr/bin/env bash
# Install the 告示屏 player as a system service on Raspberry Pi OS (Bookworm or newer)
# or Debian 12+, from this checkout:
#
#   sudo bash scripts/install-pi.sh [--dry-run] [--no-start] [--drop DIR]
#
#   --dry-run    print every step and the exact commands, change nothing (any user)
#   --no-start   install and enable, but do not (re)start the player now
#   --drop DIR   the drop folder (default /srv/signage/drop, or the one chosen before)
#
# Idempotent: run it again after `git pull` to update; it keeps /etc/signage/player.yaml
# and /etc/signage/environment and never touches the drop folder's files (nor seeds
# it with the sample). What it creates and why: docs/install.md.
set -Eeuo pipefail

prog=install-pi.sh
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

OPT=/opt/signage
VENV=$OPT/venv
BUILD=$OPT/build
ETC=/etc/signage
STATE=/var/lib/signage
DEFAULT_DROP=/srv/signage/drop
UNITS=/etc/systemd/system
DROPIN=$UNITS/signage-player.service.d/drop-folder.conf
ACCOUNT=signage
DEVICE_GROUPS=(video render input)
# v4l-utils provides cec-ctl, which `power.method: cec` runs to put the TV itself into
# standby and wake it over HDMI-CEC (player/runtime/power.py).
PACKAGES=(python3-venv python3-pip fontconfig fonts-noto-cjk v4l-utils)
# The system Python that apt's python3-venv belongs to, never one earlier on PATH
# (pyenv, /usr/local): the venv links to its interpreter, which user signage must reach.
PY=/usr/bin/python3
HINT_DEFAULT="fix the cause shown above and run the installer again (it is safe to re-run)"

dry_run=0
start=1
drop=""

usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

usage_error() {
  printf '%s: %s (usage: sudo bash scripts/install-pi.sh [--dry-run] [--no-start] [--drop DIR])\n' "$prog" "$1" >&2
  exit 2
}

die() {
  printf '%s: %s\n' "$prog" "$*" >&2
  exit 1
}

trap 'die "unexpected failure at line $LINENO ($BASH_COMMAND); $HINT_DEFAULT"' ERR

step() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }

# Shell-quote a command for display: words with shell metacharacters get single quotes
# (Chinese file names need none).
quote() {
  local word out="" special='[][[:space:]'\''"\\$`!*?;&|<>(){}~#]'
  for word in "$@"; do
    if [ -n "$word" ] && ! [[ $word =~ $special ]]; then
      out+="$word "
    else
      out+="'${word//\'/\'\\\'\'}' "
    fi
  done
  printf '%s' "${out% }"
}

# Print a command, then run it unless this is a dry run. `hint=... run CMD` replaces
# the advice printed when CMD fails.
run() {
  printf '    + %s\n' "$(quote "$@")"
  if [ "$dry_run" -eq 1 ]; then
    return 0
  fi
  local status=0
  "$@" || status=$?
  if [ "$status" -ne 0 ]; then
    die "'$(quote "$@")' failed (exit $status); ${hint:-$HINT_DEFAULT}"
  fi
}

# Write stdin to DEST atomically (a half-written config after a power cut would stop the
# player): install a temporary copy beside it, then rename.
write_file() {
  local dest=$1 mode=$2 content
  content="$(cat)"
  if [ -f "$dest" ] && cmp -s "$dest" <(printf '%s\n' "$content"); then
    note "$dest is up to date"
    return
  fi
  run install -m "$mode" -o root -g root /dev/stdin "$dest.tmp" <<<"$content"
  run mv -f "$dest.tmp" "$dest"
}

installed() {
  [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]
}

os_field() {
  [ -r /etc/os-release ] || return 0
  sed -n "s/^$1=//p" /etc/os-release 2>/dev/null | tr -d '"' | head -n 1
}

systemd_running() { [ -d /run/systemd/system ]; }

# --- steps ----------------------------------------------------------------------------

check_system() {
  local id version name
  id="$(os_field ID)"
  version="$(os_field VERSION_ID)"
  name="$(os_field PRETTY_NAME)"
  step "Checking the system: ${name:-unknown OS}, $("$PY" --version 2>&1 || echo "no $PY"), user $(id -un)"
  if ! { [[ $id == debian || $id == raspbian ]] && { [ -z "$version" ] || [ "${version%%.*}" -ge 12 ]; }; }; then
    if [ "$dry_run" -eq 1 ]; then
      note "warning: not Raspberry Pi OS Bookworm+ or Debian 12+; a real run would stop here"
    else
      die "this installer supports Raspberry Pi OS (Bookworm or newer) and Debian 12 or newer; this is ${name:-an unknown system}"
    fi
  fi
  if [ "$(id -u)" -ne 0 ]; then
    if [ "$dry_run" -eq 1 ]; then
      note "not root: fine for --dry-run; the real installation needs sudo"
    else
      die "must run as root: sudo bash scripts/install-pi.sh ${ARGS[*]}"
    fi
  fi
  local file
  for file in pyproject.toml config/player-pi.yaml systemd/signage-player.service content; do
    [ -e "$here/$file" ] || die "$here/$file is missing; run the installer from a complete checkout"
  done
  command -v systemctl >/dev/null 2>&1 || die "systemctl not found; this installer needs a systemd system"
  if [ -x "$PY" ] && ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    die "$("$PY" --version 2>&1) is too old; the player needs Python 3.11 or newer (Debian 12 / Bookworm has it)"
  fi
}

install_packages() {
  local package missing=()
  for package in "${PACKAGES[@]}"; do
    installed "$package" || missing+=("$package")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    step "System packages: all present (${PACKAGES[*]}), apt skipped"
    return
  fi
  step "Installing system packages with apt: ${missing[*]}"
  run apt-get update -q
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

create_user() {
  step "System user $ACCOUNT (home $STATE, no login; groups ${DEVICE_GROUPS[*]})"
  local group add=()
  # The unit names these groups in SupplementaryGroups=; a missing one would stop the
  # service from starting at all (they exist on Raspberry Pi OS, but not on every box).
  for group in "${DEVICE_GROUPS[@]}"; do
    getent group "$group" >/dev/null || run groupadd --system "$group"
  done
  if ! id -u "$ACCOUNT" >/dev/null 2>&1; then
    run useradd --system --user-group --home-dir "$STATE" --no-create-home \
      --shell /usr/sbin/nologin --comment "signage player" \
      --groups "$(IFS=,; echo "${DEVICE_GROUPS[*]}")" "$ACCOUNT"
    return
  fi
  local have
  have=" $(id -nG "$ACCOUNT") "
  for group in "${DEVICE_GROUPS[@]}"; do
    [[ $have == *" $group "* ]] || add+=("$group")
  done
  if [ "${#add[@]}" -gt 0 ]; then
    run usermod --append --groups "$(IFS=,; echo "${add[*]}")" "$ACCOUNT"
  else
    note "exists and is in ${DEVICE_GROUPS[*]}"
  fi
}

create_venv() {
  local want have=""
  want="$(readlink -f "$PY" 2>/dev/null || true)"
  if [ -x "$VENV/bin/python3" ] && "$VENV/bin/python3" -c 'import sys' >/dev/null 2>&1; then
    have="$(readlink -f "$VENV/bin/python3")"
  fi
  if [ -n "$want" ] && [ "$have" = "$want" ]; then
    step "Virtual environment $VENV: present ($have), kept"
    return
  fi
  # Missing, broken, or built on another interpreter (a system upgrade to a newer
  # Python): start afresh; the next step installs the player again anyway.
  step "Creating the virtual environment $VENV ($PY)"
  run install -d -m 0755 "$OPT"
  run "$PY" -m venv --clear "$VENV"
}

install_player() {
  step "Installing the player from $here into $VENV with pip (a few minutes on a Pi)"
  # pip builds in the source folder; a copy keeps root-owned build files out of the
  # checkout, and the installed copy does not depend on the checkout afterwards.
  run rm -rf "$BUILD"
  run install -d -m 0755 "$BUILD"
  run cp -R "$here/pyproject.toml" "$here/README.md" "$here/player" "$BUILD/"
  run "$VENV/bin/python" -m pip install --upgrade --quiet --disable-pip-version-check \
    --root-user-action=ignore "$BUILD"
  run rm -rf "$BUILD"
  # `signage status`, `signage check` … for administrators, without the venv path.
  run ln -sfn "$VENV/bin/signage" /usr/local/bin/signage
}

install_config() {
  local dest=$ETC/player.yaml template content
  template="$(cat "$here/config/player-pi.yaml")"
  content="${template//"dir: $DEFAULT_DROP"/"dir: $drop"}"
  if [ ! -e "$dest" ]; then
    step "Writing $dest from config/player-pi.yaml (set screen.name in it)"
    run install -d -m 0755 "$ETC"
    write_file "$dest" 0644 <<<"$content"
  elif cmp -s "$dest" <(printf '%s\n' "$content"); then
    step "Config $dest: present and the same as the template, kept"
  else
    step "Config $dest: present, kept; the current template goes to $dest.new (compare: diff -u $dest $dest.new)"
    write_file "$dest.new" 0644 <<<"$content"
  fi
  if [ -e "$dest" ] && ! grep -qF -- "$drop" "$dest"; then
    note "warning: $dest does not mention $drop; check drop.dir in it"
  fi
}

install_environment() {
  local dest=$ETC/environment
  if [ -e "$dest" ]; then
    step "Environment $dest: present, kept"
    return
  fi
  step "Writing $dest (environment overrides for the player, all commented out)"
  run install -d -m 0755 "$ETC"
  write_file "$dest" 0644 <<'EOF'
# Environment of signage-player.service, one VAR=value a line. Read after the unit's own
# Environment= lines, so a value here wins. After editing: sudo systemctl restart signage-player
#
# Raspberry Pi OS Lite (no desktop) draws through KMS/DRM, the unit's default:
#SDL_VIDEODRIVER=kmsdrm
# With a desktop session, run the player as a user service instead (docs/install.md).
EOF
}

create_drop() {
  step "Drop folder $drop (owner $ACCOUNT, group-writable, setgid so files dropped over Samba stay in group $ACCOUNT)"
  run mkdir -p "$(dirname "$drop")"
  run install -d -m 2775 -o "$ACCOUNT" -g "$ACCOUNT" "$drop"
  # Never seeded with the sample: a lobby screen must not show another office's
  # notices. Empty, it shows the office name and 暂无公告 until staff drop files in.
  if [ -d "$drop" ] && [ -n "$(ls -A "$drop" 2>/dev/null)" ]; then
    note "it has files already; they are left as they are"
  else
    note "it is empty: the screen shows the office name and 暂无公告 until notices are dropped in"
    note "to try the sample notices first: sudo -u $ACCOUNT cp -R $(quote "$here/content/.") $(quote "$drop/")"
  fi
}

refresh_fonts() {
  step "Refreshing the font cache (fc-cache -f) so the player's first start is fast"
  run fc-cache -f
}

install_units() {
  local unit names=()
  for unit in "$here"/systemd/*.service "$here"/systemd/*.timer; do
    names+=("$(basename "$unit")")
  done
  step "Installing the systemd units into $UNITS: ${names[*]}"
  for unit in "${names[@]}"; do
    run install -m 0644 -o root -g root "$here/systemd/$unit" "$UNITS/$unit"
  done
  # The unit may write to /srv/signage/drop only (ProtectSystem=strict); another drop
  # folder gets its own ReadWritePaths= in a drop-in that later runs read back.
  if [ "$drop" != "$DEFAULT_DROP" ]; then
    step "Allowing the player to write to $drop ($DROPIN)"
    run install -d -m 0755 "$(dirname "$DROPIN")"
    write_file "$DROPIN" 0644 <<EOF
# Written by scripts/install-pi.sh --drop: the drop folder is not /srv/signage/drop.
[Service]
ReadWritePaths=-$drop
EOF
  elif [ -e "$DROPIN" ]; then
    step "Removing $DROPIN (the drop folder is $DEFAULT_DROP again)"
    run rm -f "$DROPIN"
  fi
}

activate_units() {
  local skip=0
  if ! systemd_running && [ "$dry_run" -eq 0 ]; then
    skip=1
  fi
  if [ "$skip" -eq 1 ]; then
    step "systemd is not running (chroot or container): skipping daemon-reload and restart"
  else
    step "Reloading systemd (daemon-reload)"
    systemd_running || note "(systemd is not running here: a real run would skip this, daemon-reload and restart)"
    run systemctl daemon-reload
  fi
  step "Enabling signage-player.service and signage-player-retry.timer at boot"
  run systemctl enable signage-player.service signage-player-retry.timer
  if [ "$skip" -eq 1 ]; then
    return
  fi
  if [ "$start" -eq 0 ]; then
    step "Not starting (--no-start); start with: sudo systemctl start signage-player signage-player-retry.timer"
    return
  fi
  step "Restarting the player and its retry timer (waits for the first frame, up to 2 minutes)"
  run systemctl reset-failed signage-player.service
  run systemctl restart signage-player-retry.timer
  hint="the player did not start; see: journalctl -u signage-player -n 50 --no-pager" \
    run systemctl restart signage-player.service
}

main() {
  ARGS=("$@")
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --dry-run) dry_run=1 ;;
      --no-start) start=0 ;;
      --drop)
        [ "$#" -ge 2 ] || usage_error "--drop needs a folder"
        drop=$2
        shift ;;
      --drop=*) drop=${1#--drop=} ;;
      -h|--help) usage; exit 0 ;;
      *) usage_error "unknown option $1" ;;
    esac
    shift
  done
  if [ -n "$drop" ]; then
    drop="${drop%/}"
    [[ $drop =~ ^/[^[:space:]#:\"\'\\\$]+$ ]] ||
      usage_error "--drop needs an absolute path without spaces, quotes, # or :"
  elif [ -r "$DROPIN" ]; then
    drop="$(sed -n 's/^ReadWritePaths=-//p' "$DROPIN" | head -n 1)"
  fi
  drop="${drop:-$DEFAULT_DROP}"

  if [ "$dry_run" -eq 1 ]; then
    step "Dry run: printing every step and its commands; nothing is changed"
  fi
  check_system
  install_packages
  create_user
  create_venv
  install_player
  install_config
  install_environment
  create_drop
  refresh_fonts
  install_units
  activate_units

  if [ "$dry_run" -eq 1 ]; then
    step "Dry run finished: nothing was changed"
  else
    step "Done. Logs: journalctl -u signage-player -f   Status: sudo signage status   Config: $ETC/player.yaml   Drop folder: $drop"
  fi
}

main "$@"
