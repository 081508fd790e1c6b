#!/usr/bin/env bash
# Installs what hen-backup needs from the system when it is missing (Debian/Ubuntu).
set -euo pipefail
missing=()
# daemons such as sshd live in sbin, which a non-root user's PATH often leaves out
present() {
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]
}
for tool in "$@"; do
  present "$tool" || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing missing system packages: ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
packages=()
for tool in "${missing[@]}"; do
  case "$tool" in
    setpriv | script) packages+=(util-linux) ;;
    sshd) packages+=(openssh-server) ;;
    ssh | ssh-keygen) packages+=(openssh-client) ;;
    *) packages+=("$tool") ;;
  esac
done
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq "${packages[@]}" >/dev/null
