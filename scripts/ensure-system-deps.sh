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
# Packages that bring a system service the tests do not want running: installed on their own,
# without recommends, with their service kept from starting (see install_quietly).
quiet_packages=()
for tool in "${missing[@]}"; do
  case "$tool" in
    setpriv | script) packages+=(util-linux) ;;
    sshd) packages+=(openssh-server) ;;
    ssh | ssh-keygen) packages+=(openssh-client) ;;
    # /usr/bin/prometheus and /usr/bin/promtool; the tests start their own servers on free ports
    prometheus | promtool) [[ " ${quiet_packages[*]} " == *" prometheus "* ]] || quiet_packages+=(prometheus) ;;
    *) packages+=("$tool") ;;
  esac
done
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
if [ ${#packages[@]} -gt 0 ]; then
  "${sudo_cmd[@]}" apt-get install -y -qq "${packages[@]}" >/dev/null
fi

# Debian's prometheus package would start a server of its own (port 9090, storage in
# /var/lib/prometheus, scraping itself every 15 s) and recommends prometheus-node-exporter,
# another service. A policy-rc.d that answers 101 ("action forbidden") keeps the package
# scripts from starting the service, whether through systemd or /etc/init.d; where systemd
# runs, the unit is also disabled so that it does not start at the next boot either.
install_quietly() {
  local policy=/usr/sbin/policy-rc.d added=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
    "${sudo_cmd[@]}" chmod 755 "$policy"
    added=1
  fi
  local status=0
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null || status=$?
  [ "$added" -eq 0 ] || "${sudo_cmd[@]}" rm -f "$policy"
  [ "$status" -eq 0 ] || return "$status"
  if [ -d /run/systemd/system ]; then
    for package in "$@"; do
      "${sudo_cmd[@]}" systemctl disable --now "$package.service" >/dev/null 2>&1 || true
    done
  fi
}
if [ ${#quiet_packages[@]} -gt 0 ]; then
  install_quietly "${quiet_packages[@]}"
fi
