#!/bin/sh
# capture-guest-topology.sh: capture the reference guest's host-side topology
# (what hwloc and libdaxctl read) so that `virt-spm nodeinfo` and the binding
# checks can be tested against a real system with soft-reserved memory.
#
#   scripts/capture-guest-topology.sh OUTDIR     (the tests use tests/hostdata/refguest)
#
# Boots the reference guest (VIRT_SPM_TEST_QEMU, VIRT_SPM_TEST_OVMF_DIR,
# VIRT_SPM_TEST_KERNEL_DIR: QEMU 11.1.3 + OVMF 2026.08 + the Debian 6.1 kernel
# and busybox initramfs) twice, with one CPU cell and two SPM cells
# (sp-mem) and an HMAT:
#   devdax      the SPM cells as dax_hmem leaves them: soft reserved,
#               /dev/dax0.0 and /dev/dax1.0 bound to device_dax;
#   system-ram  the same after `daxctl reconfigure-device --mode=system-ram`
#               (kmem onlines them as CPU-less NUMA nodes).
# In each boot the capture init (made here into a derived initrd: the
# reference initrd plus this host's lstopo-no-graphics, hwloc-gather-topology
# and daxctl with their libraries) runs hwloc's own hwloc-gather-topology
# --io, adds /proc/iomem, memory tiers and block size, `daxctl list` and
# lstopo's XML, and writes the lot as a base64 tar.gz on the second serial
# port.  OUTDIR/devdax and OUTDIR/system-ram receive:
#   fsroot/         the tree for HWLOC_FSROOT (sys/, proc/)
#   topology.xml    lstopo-no-graphics --of xml --whole-io in the guest
#   daxctl.json     daxctl list -D -R -M in the guest
#   console.log     the guest's console
# With VIRT_SPM_CAPTURE_NODEINFO set to a virt-spm binary, that binary and
# its libraries go into the initrd too, and the guest also writes
#   nodeinfo-live.json   virt-spm -q nodeinfo --json run in the guest: this
#                        machine read live, dax devices through libdaxctl
# (tests/hostdaxlivetest.py compares it with nodeinfo on the captured tree).
# Nothing here is written by hand: rerun this script to regenerate them.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

out=${1:?usage: $0 OUTDIR}
VIRT_SPM_CAPTURE_NODEINFO=${VIRT_SPM_CAPTURE_NODEINFO:-}
qemu=${VIRT_SPM_TEST_QEMU:?set VIRT_SPM_TEST_QEMU to the reference QEMU 11.1.3}
ovmf=${VIRT_SPM_TEST_OVMF_DIR:?set VIRT_SPM_TEST_OVMF_DIR}
kdir=${VIRT_SPM_TEST_KERNEL_DIR:?set VIRT_SPM_TEST_KERNEL_DIR}
for tool in lstopo-no-graphics hwloc-gather-topology daxctl; do
    command -v $tool >/dev/null || { echo "$0: $tool is missing (hwloc-nox, daxctl)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/virt-spm-capture.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
root=$work/initrd
mkdir -p "$root"
(cd "$root" && zcat "$kdir/initrd" | "$kdir/initramfs/bin/busybox" cpio -i -d 2>/dev/null)
bb=$root/bin/busybox

# The host's tools and every library they load, at the same paths.
copy() {
    mkdir -p "$root$(dirname "$1")"
    cp -L "$1" "$root$1"
}
for bin in "$(command -v lstopo-no-graphics)" "$(command -v daxctl)" $VIRT_SPM_CAPTURE_NODEINFO; do
    copy "$bin"
    for lib in $(ldd "$bin" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
        copy "$lib"
    done
done
# hwloc's gatherer, with the mktemp spelling busybox knows.
mkdir -p "$root/usr/bin"
sed 's/mktemp -d --tmpdir /mktemp -d -p \/tmp /' "$(command -v hwloc-gather-topology)" \
    > "$root/usr/bin/hwloc-gather-topology"
chmod 755 "$root/usr/bin/hwloc-gather-topology"

# virt-spm loads libdaxctl itself (dlopen): daxctl above brought it along.
# The guest mounts a tmpfs on /tmp, where a build tree may lie: it runs
# virt-spm from /usr/bin.
[ -z "$VIRT_SPM_CAPTURE_NODEINFO" ] || mv "$root$VIRT_SPM_CAPTURE_NODEINFO" "$root/usr/bin/virt-spm"

cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp && mount -t tmpfs tmpfs /tmp
mode=devdax
for arg in $(cat /proc/cmdline); do
    case $arg in virtspm.capture=*) mode=${arg#virtspm.capture=} ;; esac
done
echo "=== CAPTURE $mode ==="
insmod /mod/device_dax.ko; insmod /mod/dax_hmem.ko; insmod /mod/kmem.ko
sleep 1
if [ "$mode" = system-ram ]; then
    daxctl reconfigure-device --mode=system-ram all || {
        echo "daxctl reconfigure-device failed; rebinding through sysfs"
        for d in /sys/bus/dax/devices/dax*; do
            n=${d##*/}
            echo $n > /sys/bus/dax/drivers/device_dax/unbind
            echo $n > /sys/bus/dax/drivers/kmem/new_id
        done
        for m in /sys/devices/system/memory/memory*; do
            [ "$(cat $m/state)" = offline ] && echo online_movable > $m/state
        done
    }
fi
w=/tmp/w/$mode
mkdir -p $w
daxctl list -D -R -M > $w/daxctl.json 2>&1
if [ -x /usr/bin/virt-spm ]; then
    virt-spm -q nodeinfo --json > $w/nodeinfo-live.json 2> $w/nodeinfo-live.err
fi
cat /proc/iomem
hwloc-gather-topology --io --no-cpuid /tmp/gather/guest > /tmp/gather.log 2>&1 || cat /tmp/gather.log
mkdir -p $w/fsroot.tmp
tar -x -j -f /tmp/gather/guest.tar.bz2 -C $w/fsroot.tmp
mv $w/fsroot.tmp/guest $w/fsroot
rmdir $w/fsroot.tmp
# What hwloc-gather-topology does not save and virt-spm reads.
for f in /proc/iomem /sys/devices/system/memory/block_size_bytes; do
    mkdir -p $w/fsroot${f%/*}; cat $f > $w/fsroot$f
done
for d in /sys/devices/virtual/memory_tiering /sys/devices/system/node; do
    find $d -name 'memory_tier*' -o -name 'nodelist' -o -name 'abstract_distance' 2>/dev/null | while read -r f; do
        [ -f "$f" ] || continue; mkdir -p $w/fsroot${f%/*}; cat $f > $w/fsroot$f 2>/dev/null
    done
done
HWLOC_THISSYSTEM=1 lstopo-no-graphics --of xml --whole-io > $w/topology.xml 2>&1
echo "=== ARCHIVE BEGIN ===" > /dev/ttyS1
tar -c -C /tmp/w $mode | gzip -9 | base64 > /dev/ttyS1
echo "=== ARCHIVE END ===" > /dev/ttyS1
echo "=== CAPTURE DONE ==="
poweroff -f
INIT
chmod 755 "$root/init"
(cd "$root" && find . | "$bb" cpio -o -H newc 2>/dev/null | gzip -9) > "$work/initrd.gz"

boot() {
    mode=$1
    cp "$ovmf/OVMF_VARS_4M.fd" "$work/vars.fd"
    : > "$work/capture.b64"
    # Cell 0: both vCPUs and 768 MiB.  Cells 1 and 2: 256 MiB of SPM each
    # (sp-mem at 4 GiB and 4 GiB + 256 MiB), with more bandwidth and more
    # latency than cell 0 (HMAT).  Display devices as accelerators: one on
    # the root bus (no NUMA node), one behind an expander bridge of node 0,
    # one behind an expander bridge of SPM node 1.
    timeout 600 "$qemu" -nodefaults -nographic -no-reboot \
        -machine q35,hmat=on -accel tcg -cpu max -smp 2 \
        -m size=768M,maxmem=1280M \
        -drive if=pflash,format=raw,readonly=on,file="$ovmf/OVMF_CODE_4M.fd" \
        -drive if=pflash,format=raw,file="$work/vars.fd" \
        -object memory-backend-ram,id=ram0,size=768M \
        -numa node,nodeid=0,cpus=0-1,initiator=0,memdev=ram0 \
        -object memory-backend-ram,id=spm1,size=256M \
        -numa node,nodeid=1,initiator=0 \
        -object memory-backend-ram,id=spm2,size=256M \
        -numa node,nodeid=2,initiator=0 \
        -numa hmat-lb,initiator=0,target=0,hierarchy=memory,data-type=access-latency,latency=100 \
        -numa hmat-lb,initiator=0,target=0,hierarchy=memory,data-type=access-bandwidth,bandwidth=20G \
        -numa hmat-lb,initiator=0,target=1,hierarchy=memory,data-type=access-latency,latency=250 \
        -numa hmat-lb,initiator=0,target=1,hierarchy=memory,data-type=access-bandwidth,bandwidth=80G \
        -numa hmat-lb,initiator=0,target=2,hierarchy=memory,data-type=access-latency,latency=250 \
        -numa hmat-lb,initiator=0,target=2,hierarchy=memory,data-type=access-bandwidth,bandwidth=80G \
        -device sp-mem,id=spm-node1,memdev=spm1,node=1,addr=0x100000000 \
        -device sp-mem,id=spm-node2,memdev=spm2,node=2,addr=0x110000000 \
        -device VGA \
        -device pxb-pcie,id=pxb0,bus_nr=64,numa_node=0,bus=pcie.0 \
        -device pcie-root-port,id=rp0,bus=pxb0,chassis=10,slot=0 \
        -device bochs-display,bus=rp0 \
        -device pxb-pcie,id=pxb1,bus_nr=128,numa_node=1,bus=pcie.0 \
        -device pcie-root-port,id=rp1,bus=pxb1,chassis=11,slot=0 \
        -device secondary-vga,bus=rp1 \
        -kernel "$kdir/vmlinuz" -initrd "$work/initrd.gz" \
        -append "console=ttyS0 panic=-1 virtspm.capture=$mode" \
        -serial file:"$work/console.log" -serial file:"$work/capture.b64"
    dest=$out/$mode
    rm -rf "$dest"
    mkdir -p "$dest"
    sed -n '/=== ARCHIVE BEGIN ===/,/=== ARCHIVE END ===/p' "$work/capture.b64" \
        | sed '1d;$d' | tr -d '\r' | base64 -d | tar -xz -C "$out"
    tr -d '\r' < "$work/console.log" > "$dest/console.log"
    grep -q "=== CAPTURE DONE ===" "$dest/console.log" || { echo "$0: the $mode boot did not finish" >&2; exit 1; }
    echo "captured $dest"
}
mkdir -p "$out"
boot devdax
boot system-ram
