#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Prepare a Debian 12 machine for building, testing, demoing and benchmarking podrouter.
# Idempotent; run as root. Installs Debian packages, reserves 2 MB hugepages and mounts
# hugetlbfs. Where hugepages cannot be had, it says so and runs fall back to --no-huge.
#   PR_HUGEPAGES=N  number of 2 MB pages to reserve (default 1024, i.e. 2 GiB)
set -euo pipefail

packages=(
	gcc pkg-config meson ninja-build                  # build
	dpdk dpdk-dev libdpdk-dev                         # DPDK 22.11, testpmd, telemetry, dumpcap
	libyaml-dev libcyaml-dev libhiredis-dev           # config, manifests, Redis
	libcmocka-dev                                     # unit tests
	clang libclang-rt-14-dev                          # fuzz tests: clang, libFuzzer, sanitizers
	python3 python3-scapy python3-yaml                # integration tests: packets and configs
	redis-server                                      # cluster state tests
	iproute2 procps                                   # netns tests, pgrep
)

if [ "$(id -u)" -ne 0 ]; then
	echo "setup.sh: run as root (it installs packages and reserves hugepages)" >&2
	exit 1
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup.sh: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Hugepages: 2 MB pages, reserved at run time (1 GB pages need the kernel command line).
want=${PR_HUGEPAGES:-1024}
have=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
if [ "$have" -lt "$want" ]; then
	echo "$want" > /proc/sys/vm/nr_hugepages 2>/dev/null || true
	have=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
fi
if ! grep -q ' hugetlbfs ' /proc/mounts; then
	mkdir -p /dev/hugepages
	mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null || true
fi
if [ "$have" -gt 0 ] && grep -q ' hugetlbfs ' /proc/mounts; then
	echo "setup.sh: $have hugepages of 2 MB reserved, hugetlbfs mounted"
else
	echo "setup.sh: no hugepages could be reserved here: runs fall back to --no-huge"
fi
