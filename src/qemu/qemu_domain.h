/*
 * qemu_domain.h: what QEMU's machine type and architecture names mean
 *
 * Which machine types are pc (i440fx) or q35, which binary emulates which
 * guest architecture and where that binary is by default is QEMU
 * knowledge; every layer that needs it (the rules, the layout, the
 * definition, the CLI) asks here.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"
#include "spmenum.h"

typedef enum {
    SPM_QEMU_MACHINE_FAMILY_NONE = 0, /* not a pc or q35 machine type */
    SPM_QEMU_MACHINE_FAMILY_Q35,
    SPM_QEMU_MACHINE_FAMILY_PC, /* i440fx */

    SPM_QEMU_MACHINE_FAMILY_LAST
} spmQEMUMachineFamily;
SPM_ENUM_DECL(spmQEMUMachineFamily);

/*
 * The family and version of machine type @name: the aliases "pc", "q35",
 * "pc-i440fx" and "pc-q35" (version 0.0, the binary's newest), and the
 * versioned "pc-q35-X.Y" and "pc-i440fx-X.Y".  NULL is QEMU's default x86
 * machine, pc.  The old i440fx names "pc-0.N" and "pc-1.N" are refused: no
 * QEMU with an SPM interface offers them.  Returns false, with *@family
 * SPM_QEMU_MACHINE_FAMILY_NONE, for anything else.
 */
bool spmQEMUMachineParse(const char *name, spmQEMUMachineFamily *family, unsigned int *major,
                         unsigned int *minor);

/* true when @name (NULL: QEMU's default) is a pc or q35 machine type. */
bool spmQEMUMachineIsPCFamily(const char *name);

/*
 * true when a QEMU binary emulating @emulatorArch (as its capabilities say)
 * runs guests of architecture @guestArch: the same name, or an i686 guest
 * on qemu-system-x86_64.
 */
bool spmQEMUArchIsEmulatedBy(const char *guestArch, const char *emulatorArch);

/*
 * The QEMU binary for guests of architecture @arch when the domain names
 * none: /usr/bin/qemu-system-ARCH (i386 for i686 and the like).  NULL
 * @arch is the host's.  NULL with an error when the host's architecture
 * cannot be determined.
 */
char *spmQEMUDefaultEmulator(const char *arch);
