#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# sriov-vfs.sh: create SR-IOV VFs on a PF, set each VF's MAC, VLAN, spoof check and trust
# from the PF, bind the VFs to a DPDK driver, and print the `ports:` entries for podrouter.
# Idempotent: a second run with the same arguments changes nothing. Run as root, before
# podrouter starts (changing the VF count destroys and recreates the VFs).
# Background and the reasons for the defaults: docs/operations.md, "SR-IOV VFs".
#
# SRIOV_SYSFS (default /sys) reads and writes another sysfs tree; it exists for tests.
set -euo pipefail

prog=sriov-vfs.sh
sys=${SRIOV_SYSFS:-/sys}

usage() {
	cat <<EOF
usage: $prog IFACE COUNT [options]
  IFACE                the PF's network interface (ens1f0)
  COUNT                number of VFs; 0 removes them all
  --vlan ID            port VLAN (1-4094) the PF adds and strips for every VF;
                       0 or absent: none
  --trust on|off       let VFs enable promiscuous/all-multicast and change their MAC
                       (default on; podrouter needs it for promiscuous: true on a VF)
  --spoofchk on|off    PF drops frames whose source MAC is not the VF's (default off:
                       podrouter forwards frames with their original source MAC)
  --mac-prefix P       1 to 5 octets (02:00:5e); VF N gets P followed by N in the
                       remaining octets. Default: 02 and the PF MAC's last 3 octets
  --driver NAME        driver to bind the VFs to (default vfio-pci). A VF already on
                       NAME is left alone, so --driver mlx5_core keeps NVIDIA VFs as they are
  --noiommu            with vfio-pci: enable vfio's unsafe no-IOMMU mode (no DMA
                       isolation; only for machines without an IOMMU, such as some VMs)
  --dry-run            print the commands that would run; change nothing
  -h, --help           this text
EOF
}

die() {
	echo "$prog: $*" >&2
	exit 1
}

usage_error() {
	echo "$prog: $*" >&2
	echo "Try '$prog --help'." >&2
	exit 2
}

note() {
	echo "$prog: $*" >&2
}

# ---------------------------------------------------------------- arguments

iface=""
count=""
vlan=0
trust=on
spoofchk=off
mac_prefix=""
driver=vfio-pci
noiommu=0
dry_run=0

need_value() {
	[ "$2" -ge 2 ] || usage_error "$1 needs a value"
}

positional=()
while [ $# -gt 0 ]; do
	case "$1" in
	--vlan)
		need_value "$1" $#
		vlan=$2
		shift 2
		;;
	--trust)
		need_value "$1" $#
		trust=$2
		shift 2
		;;
	--spoofchk)
		need_value "$1" $#
		spoofchk=$2
		shift 2
		;;
	--mac-prefix)
		need_value "$1" $#
		mac_prefix=$2
		shift 2
		;;
	--driver)
		need_value "$1" $#
		driver=$2
		shift 2
		;;
	--vlan=* | --trust=* | --spoofchk=* | --mac-prefix=* | --driver=*)
		opt=${1%%=*}
		set -- "$opt" "${1#*=}" "${@:2}"
		;;
	--noiommu)
		noiommu=1
		shift
		;;
	--dry-run)
		dry_run=1
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	--)
		shift
		positional+=("$@")
		break
		;;
	-*)
		usage_error "unknown option '$1'"
		;;
	*)
		positional+=("$1")
		shift
		;;
	esac
done

[ ${#positional[@]} -eq 2 ] || usage_error "give IFACE and COUNT"
iface=${positional[0]}
count=${positional[1]}

[[ "$iface" =~ ^[A-Za-z0-9_.:@-]{1,15}$ ]] || usage_error "'$iface' is not an interface name"
[[ "$count" =~ ^[0-9]{1,4}$ ]] || usage_error "COUNT '$count' is not a number"
count=$((10#$count))
if ! [[ "$vlan" =~ ^[0-9]{1,4}$ ]] || [ "$((10#$vlan))" -gt 4094 ]; then
	usage_error "--vlan '$vlan' is not a VLAN ID (1-4094, or 0 for none)"
fi
vlan=$((10#$vlan))
[[ "$trust" == on || "$trust" == off ]] || usage_error "--trust takes on or off, not '$trust'"
[[ "$spoofchk" == on || "$spoofchk" == off ]] ||
	usage_error "--spoofchk takes on or off, not '$spoofchk'"
[[ "$driver" =~ ^[A-Za-z0-9_-]+$ ]] || usage_error "'$driver' is not a driver name"
if [ "$noiommu" -eq 1 ] && [ "$driver" != vfio-pci ]; then
	usage_error "--noiommu applies to vfio-pci only"
fi
if [ -n "$mac_prefix" ]; then
	[[ "$mac_prefix" =~ ^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){0,4}$ ]] ||
		usage_error "--mac-prefix '$mac_prefix' is not 1 to 5 octets (02:00:5e)"
	mac_prefix=${mac_prefix,,}
	if (((16#${mac_prefix:0:2} & 1) == 1)); then
		usage_error "--mac-prefix '$mac_prefix' is a multicast prefix (first octet must be even)"
	fi
	if (((16#${mac_prefix:0:2} & 2) == 0)); then
		note "warning: $mac_prefix is not a locally administered prefix (second bit of the first octet)"
	fi
fi

# ---------------------------------------------------------------- helpers

# Run a command, or print it with --dry-run.
run() {
	local line

	if [ "$dry_run" -eq 1 ]; then
		line=$(printf '%q ' "$@")
		echo "${line% }"
		return 0
	fi
	"$@" || die "failed (exit $?): $*"
}

# Write a value to a sysfs file, or print the command with --dry-run.
write_sysfs() {
	local value=$1 file=$2

	if [ "$dry_run" -eq 1 ]; then
		printf 'echo %q > %q\n' "$value" "$file"
		return 0
	fi
	echo "$value" >"$file" 2>/dev/null || die "cannot write $value to $file${3:-}"
}

# The driver a PCI device is bound to, or "" when none.
pci_driver() {
	local link=$sys/bus/pci/devices/$1/driver

	if [ -L "$link" ]; then
		basename "$(readlink "$link")"
	fi
}

# Address of VF $1 from the PF's SR-IOV capability (offset and stride of routing IDs), for
# --dry-run before the VFs exist. Empty when the kernel does not expose them.
vf_addr_computed() {
	local i=$1 dev=$sys/bus/pci/devices/$pf_addr off stride dom bdf rid

	[ -r "$dev/sriov_offset" ] && [ -r "$dev/sriov_stride" ] || return 0
	off=$(<"$dev/sriov_offset")
	stride=$(<"$dev/sriov_stride")
	dom=${pf_addr%%:*}
	bdf=${pf_addr#*:}
	rid=$(((16#${bdf:0:2} << 8) | (16#${bdf:3:2} << 3) | 16#${bdf:6:1}))
	rid=$((rid + off + stride * i))
	printf '%s:%02x:%02x.%x\n' "$dom" $((rid >> 8)) $(((rid >> 3) & 31)) $((rid & 7))
}

# Address of VF $1 as the kernel lists it, or computed (--dry-run).
vf_addr() {
	local link=$sys/class/net/$iface/device/virtfn$1

	if [ -L "$link" ]; then
		basename "$(readlink "$link")"
	elif [ "$dry_run" -eq 1 ]; then
		vf_addr_computed "$1"
	fi
}

# MAC of VF $1: the prefix, then the index in the remaining octets.
vf_mac() {
	local i=$1 mac=$mac_prefix n k

	n=$(((${#mac_prefix} + 1) / 3))
	for ((k = 6 - n - 1; k >= 0; k--)); do
		mac+=$(printf ':%02x' $(((i >> (8 * k)) & 255)))
	done
	echo "$mac"
}

# A podrouter port name (a-z 0-9 _ -, at most 24 characters) for VF $1.
port_name() {
	local base suffix="-vf$1"

	base=$(echo "${iface,,}" | tr -c 'a-z0-9_\n-' '-')
	echo "${base:0:$((24 - ${#suffix}))}$suffix"
}

# ---------------------------------------------------------------- checks (also in dry run)

if [ "$dry_run" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
	die "run as root (it writes sysfs and binds drivers), or use --dry-run"
fi

netdev=$sys/class/net/$iface
[ -e "$netdev" ] || die "no network interface '$iface' ('ip -br link' lists them)"
[ -e "$netdev/device" ] || die "'$iface' is not a PCI device (no $netdev/device)"
[ ! -e "$netdev/device/physfn" ] || die "'$iface' is itself a VF; give its PF"
[ -r "$netdev/device/sriov_totalvfs" ] ||
	die "'$iface' does not support SR-IOV (no sriov_totalvfs): not an SR-IOV PF, or its driver does not enable it"
total=$(<"$netdev/device/sriov_totalvfs")
[ "$total" -gt 0 ] ||
	die "'$iface' offers 0 VFs (sriov_totalvfs is 0): enable SR-IOV in the BIOS / NIC firmware"
[ "$count" -le "$total" ] || die "'$iface' offers at most $total VFs, $count asked"
current=$(<"$netdev/device/sriov_numvfs")
pf_addr=$(basename "$(readlink -f "$netdev/device")")

if [ -z "$mac_prefix" ]; then
	pf_mac=$(<"$netdev/address")
	mac_prefix=02:${pf_mac:9:8}
fi
n_octets=$(((${#mac_prefix} + 1) / 3))
if [ "$count" -gt 0 ] && [ $((count - 1)) -ge $((1 << (8 * (6 - n_octets)))) ]; then
	usage_error "--mac-prefix $mac_prefix leaves room for $((1 << (8 * (6 - n_octets)))) VFs, not $count"
fi

devbind=""
if [ "$count" -gt 0 ]; then
	devbind=$(command -v dpdk-devbind.py || command -v dpdk-devbind || true)
	if [ -z "$devbind" ]; then
		[ "$dry_run" -eq 1 ] || die "dpdk-devbind.py not found (Debian: apt-get install dpdk)"
		devbind=dpdk-devbind.py
	fi
	noiommu_on=0
	if [ -r "$sys/module/vfio/parameters/enable_unsafe_noiommu_mode" ] &&
		[ "$(<"$sys/module/vfio/parameters/enable_unsafe_noiommu_mode")" = Y ]; then
		noiommu_on=1
	fi
	if [ "$driver" = vfio-pci ] && [ "$noiommu" -eq 0 ] && [ "$noiommu_on" -eq 0 ] &&
		[ -z "$(ls -A "$sys/kernel/iommu_groups" 2>/dev/null)" ]; then
		die "vfio-pci needs an IOMMU and none is active (no group in $sys/kernel/iommu_groups):" \
			"enable VT-d / AMD-Vi in the BIOS and boot with intel_iommu=on iommu=pt (Intel)" \
			"or iommu=pt (AMD); only where there is no IOMMU at all, pass --noiommu (unsafe)"
	fi
fi

# ---------------------------------------------------------------- VFs

numvfs=$netdev/device/sriov_numvfs
if [ "$current" -eq "$count" ]; then
	note "$iface has $count VF(s) already"
else
	if [ "$current" -ne 0 ]; then
		note "$iface has $current VF(s): removing them before creating $count"
		write_sysfs 0 "$numvfs" " (are the VFs in use, by podrouter or a VM?)"
	fi
	if [ "$count" -gt 0 ]; then
		write_sysfs "$count" "$numvfs" " (see dmesg)"
	fi
fi
if [ "$count" -eq 0 ]; then
	note "$iface has no VFs"
	exit 0
fi

# VFs get link only while their PF is up.
run ip link set dev "$iface" up

if [ "$dry_run" -eq 0 ]; then
	for _ in $(seq 1 50); do
		[ -L "$netdev/device/virtfn$((count - 1))" ] && break
		sleep 0.1
	done
	[ -L "$netdev/device/virtfn$((count - 1))" ] ||
		die "the kernel created no $netdev/device/virtfn$((count - 1))"
fi

for ((i = 0; i < count; i++)); do
	run ip link set dev "$iface" vf "$i" mac "$(vf_mac "$i")"
	run ip link set dev "$iface" vf "$i" vlan "$vlan"
	run ip link set dev "$iface" vf "$i" spoofchk "$spoofchk"
	run ip link set dev "$iface" vf "$i" trust "$trust"
done

# ---------------------------------------------------------------- driver

if [ "$noiommu" -eq 1 ] && [ "$noiommu_on" -eq 0 ]; then
	if [ -d "$sys/module/vfio" ]; then
		write_sysfs 1 "$sys/module/vfio/parameters/enable_unsafe_noiommu_mode"
	else
		run modprobe vfio enable_unsafe_noiommu_mode=1
	fi
	note "warning: vfio no-IOMMU mode: the VFs can DMA anywhere in memory (kernel tainted)"
fi
if [ ! -d "$sys/bus/pci/drivers/$driver" ]; then
	run modprobe "$driver"
fi

addrs=()
for ((i = 0; i < count; i++)); do
	addr=$(vf_addr "$i")
	if [ -z "$addr" ]; then
		# Dry run on a kernel that does not say where the VFs will be.
		addrs+=("VF$i-PCI-ADDRESS")
		# The command substitution is printed for the reader to run, not run here.
		# shellcheck disable=SC2016
		printf '%q -b %q "$(basename "$(readlink %q)")"\n' "$devbind" "$driver" \
			"$netdev/device/virtfn$i"
		continue
	fi
	addrs+=("$addr")
	if [ "$(pci_driver "$addr")" = "$driver" ]; then
		note "VF $i ($addr) is on $driver already"
		continue
	fi
	if [ "$driver" = vfio-pci ] && [ "$noiommu" -eq 0 ] && [ "$noiommu_on" -eq 0 ] &&
		[ -e "$sys/bus/pci/devices/$addr" ] && [ ! -e "$sys/bus/pci/devices/$addr/iommu_group" ]; then
		die "VF $i ($addr) is in no IOMMU group: vfio-pci cannot take it (see --noiommu)"
	fi
	run "$devbind" -b "$driver" "$addr"
done

# ---------------------------------------------------------------- what to write

echo
echo "# $count VF(s) of $iface ($pf_addr), driver $driver:"
for ((i = 0; i < count; i++)); do
	printf '#   vf %-3d %-13s mac %s vlan %s spoofchk %s trust %s\n' "$i" "${addrs[$i]}" \
		"$(vf_mac "$i")" "$([ "$vlan" -eq 0 ] && echo none || echo "$vlan")" "$spoofchk" "$trust"
done
echo "# podrouter: paste under ports:, choose each role, and have a worker poll each queue"
echo "# (the MAC comes from the PF: leave mac unset)."
echo "ports:"
for ((i = 0; i < count; i++)); do
	echo "  - name: $(port_name "$i")"
	echo "    device: \"${addrs[$i]}\""
	echo "    role: pods                 # or uplink"
	if [ "$trust" = on ]; then
		echo "    promiscuous: true"
	fi
done
