# validators.py: the virt_spm: flavor extra specs, for Nova's API
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Validators for virt-spm's flavor extra specs.

Nova loads them through the ``nova.api.extra_spec_validators`` entry point
(``nova.api.validation.extra_specs.validators``), so that from compute API
microversion 2.86 on ``openstack flavor set`` refuses a bad value or a bad
node number, and any other key in the ``virt_spm:`` namespace.

``virt_spm:numa_memmap.{num}`` types the memory of guest NUMA node ``num``
(the ``N`` of ``hw:numa_mem.N``): ``normal``, ``spm`` (EFI Specific Purpose
Memory, soft reserved, with a dax device in the guest) or ``reserved``.
Node 0 cannot be typed: the guest firmware and kernel boot from it.  The
virt-spm libvirt hook on the compute host applies it, and refuses a start
it cannot honour.
"""

from nova.api.validation.extra_specs import base

NODE_PATTERN = r'[1-9]\d*'
MEMMAP_VALUES = ('normal', 'spm', 'reserved')

EXTRA_SPEC_VALIDATORS = [
    base.ExtraSpecValidator(
        name='virt_spm:numa_memmap.{num}',
        description=(
            'The memory type of **guest** NUMA node ``{num}``, the node of '
            '``hw:numa_mem.{num}``: ``normal`` RAM, ``spm`` (Specific '
            'Purpose Memory: soft reserved, owned by a driver or dax in the '
            'guest) or ``reserved``. Applied by virt-spm on the compute '
            'host; needs QEMU with sp-mem (``spm``) or memmap-type.'
        ),
        parameters=[
            {
                'name': 'num',
                'pattern': NODE_PATTERN,
                'description': (
                    'The ID of the **guest** NUMA node, 1 or more: node 0 '
                    'holds the firmware and the kernel and stays normal.'
                ),
            },
        ],
        value={
            'type': str,
            'description': 'The memory type of the node.',
            'enum': MEMMAP_VALUES,
        },
    ),
]


def register():
    return EXTRA_SPEC_VALIDATORS
