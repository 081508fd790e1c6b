#!/usr/bin/env bash
# Installs what hen-backup needs from the system when it is missing (Debian/Ubuntu).
set -euo pipefail
missing=()
for tool in "$@"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing missing system packages: ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
packages=()
for tool in "${missing[@]}"; do
  case "$tool" in
    setpriv) packages+=(util-linux) ;;
    *) packages+=("$tool") ;;
  esac
done
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq "${packages[@]}" >/dev/null
