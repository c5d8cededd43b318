#!/usr/bin/python3
# novaxml.py: a domain XML built the way Nova's libvirt driver builds it,
# with Nova's own config classes (nova.virt.libvirt.config from Debian's
# python3-nova): guest, CPU NUMA cells, numatune with one strict memnode per
# cell, the Nova instance and flavor metadata; no <emulator> (Nova never
# sets one).  Nova 32's <nova:extraSpecs> block is added as that release
# writes it (LibvirtConfigGuestMetaNovaFlavor gained it in 32.0.0; Debian
# 12's 26.2.2 writes the flavor without it).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import uuid as uuidlib
import warnings

from lxml import etree

NOVA_NS = "http://openstack.org/xmlns/libvirt/nova/1.1"

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import logging
    logging.disable(logging.WARNING)
    from nova.virt.libvirt import config as vconfig  # noqa: E402


def guest_xml(name, flavor, cells, extra_specs=None, uuid=None, os_extra=None,
              console=None, firmware="efi"):
    """@flavor: (name, vcpus); @cells: [(cpus set, MiB)] in guest node order;
    @extra_specs: a dict written as Nova 32's <nova:extraSpecs>, or None
    (Nova 26); @os_extra: dict with loader, nvram_template, kernel, initrd,
    cmdline; @console: a file for the serial console.  Returns the XML."""
    g = vconfig.LibvirtConfigGuest()
    g.virt_type = "qemu"
    g.name = name
    g.uuid = uuid or str(uuidlib.uuid4())
    total_mib = sum(mib for _, mib in cells)
    g.memory = total_mib * 1024
    g.vcpus = flavor[1]
    g.os_type = "hvm"
    g.os_arch = "x86_64"
    g.os_mach_type = "q35"
    os_extra = os_extra or {}
    if firmware == "efi":
        # what Nova writes for hw_firmware_type=uefi: a pflash loader from
        # the host's firmware descriptors
        g.os_loader = os_extra.get("loader", "/usr/share/OVMF/OVMF_CODE_4M.fd")
        g.os_loader_type = "pflash"
        g.os_nvram_template = os_extra.get("nvram_template", "/usr/share/OVMF/OVMF_VARS_4M.fd")
    g.os_kernel = os_extra.get("kernel")
    g.os_initrd = os_extra.get("initrd")
    g.os_cmdline = os_extra.get("cmdline")
    g.features.append(vconfig.LibvirtConfigGuestFeatureACPI())
    g.features.append(vconfig.LibvirtConfigGuestFeatureAPIC())

    cpu = vconfig.LibvirtConfigGuestCPU()
    cpu.mode = None
    cpu.model = "qemu64"
    cpu.sockets, cpu.cores, cpu.threads = flavor[1], 1, 1
    numa = vconfig.LibvirtConfigGuestCPUNUMA()
    numatune = vconfig.LibvirtConfigGuestNUMATune()
    mem = vconfig.LibvirtConfigGuestNUMATuneMemory()
    mem.mode = "strict"
    mem.nodeset = [0]
    numatune.memory = mem
    for i, (cpus, mib) in enumerate(cells):
        cell = vconfig.LibvirtConfigGuestCPUNUMACell()
        cell.id = i
        cell.cpus = set(cpus)
        cell.memory = mib * 1024
        numa.cells.append(cell)
        memnode = vconfig.LibvirtConfigGuestNUMATuneMemNode()
        memnode.cellid = i
        memnode.mode = "strict"
        memnode.nodeset = [0]
        numatune.memnodes.append(memnode)
    cpu.numa = numa
    g.cpu = cpu
    g.numatune = numatune

    meta = vconfig.LibvirtConfigGuestMetaNovaInstance()
    meta.package = "26.2.2"
    meta.name = name
    meta.creationTime = 1764800000
    fl = vconfig.LibvirtConfigGuestMetaNovaFlavor()
    fl.name = flavor[0]
    fl.memory = total_mib
    fl.disk = 0
    fl.swap = 0
    fl.ephemeral = 0
    fl.vcpus = flavor[1]
    meta.flavor = fl
    owner = vconfig.LibvirtConfigGuestMetaNovaOwner()
    owner.userid, owner.username = "u0", "demo"
    owner.projectid, owner.projectname = "p0", "demo"
    meta.owner = owner
    g.metadata.append(meta)

    if console:
        serial = vconfig.LibvirtConfigGuestSerial()
        serial.type = "file"
        serial.source_path = console
        g.add_device(serial)
    else:
        serial = vconfig.LibvirtConfigGuestSerial()
        serial.type = "pty"
        g.add_device(serial)
    balloon = vconfig.LibvirtConfigMemoryBalloon()
    balloon.model = "none"
    g.add_device(balloon)

    doc = g.format_dom()
    if extra_specs is not None:
        add_extra_specs(doc, extra_specs)
    if firmware == "efi" or os_extra:
        doc.insert(len(doc), etree.fromstring("<on_poweroff>destroy</on_poweroff>"))
    return etree.tostring(doc, pretty_print=True).decode()


def add_extra_specs(doc, specs):
    """Nova 32's <nova:extraSpecs> in <nova:flavor>, after <nova:vcpus>."""
    flavor = doc.find("metadata/{%s}instance/{%s}flavor" % (NOVA_NS, NOVA_NS))
    block = etree.SubElement(flavor, "{%s}extraSpecs" % NOVA_NS)
    for key in sorted(specs):
        spec = etree.SubElement(block, "{%s}extraSpec" % NOVA_NS, name=key)
        spec.text = specs[key]


if __name__ == "__main__":
    print(guest_xml("demo", ("spm.small", 8), [(range(0, 6), 8192), (range(6, 8), 16384)],
                    {"hw:numa_nodes": "2", "virt_spm:numa_memmap.1": "spm"}))
