/*
 * qemu_firmware.h: which UEFI build a guest boots, and whether it passes
 * soft-reserved memory on to the guest
 *
 * QEMU puts one E820 entry of type 0xEFFFFFFF (soft reserved) per typed
 * range into fw_cfg etc/e820; the guest sees it only if the firmware hands
 * it on.  OVMF does from edk2-stable202608 on; older builds (Debian 12's
 * OVMF 2022.11) drop it, and the guest silently loses its SPM memory.
 * Nothing in an image says which it is, so virt-spm identifies the image:
 *   - the image is the <loader> path, or the one libvirt would select for
 *     <os firmware='efi'> from the firmware descriptors (QEMU's interop
 *     JSON files in /etc/qemu/firmware and /usr/share/qemu/firmware,
 *     matched as libvirt 9.0 does);
 *   - its sha256 is looked up in the configuration file of images the
 *     administrator verified (/etc/virt-spm/firmware.conf), then in
 *     virt-spm's own table of images booted and checked;
 *   - an image virt-spm does not know by hash is looked up in dpkg's
 *     database: an image of a Debian package build that virt-spm verified
 *     to drop the range (the same edk2 source) drops it too.
 * The verdict: verified good (silent), verified bad (an error), unknown
 * (one warning, which says how to record the image as verified).
 *
 * $VIRT_SPM_FIRMWARE_DIRS (colon-separated) replaces the descriptor
 * directories and $VIRT_SPM_FIRMWARE_CONF the configuration file; tests
 * use both, so that they never depend on the host's firmware.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "domain_conf.h"
#include "spmenum.h"

typedef enum {
    SPM_QEMU_FIRMWARE_VERDICT_UNKNOWN = 0,
    SPM_QEMU_FIRMWARE_VERDICT_GOOD, /* verified to pass soft-reserved ranges */
    SPM_QEMU_FIRMWARE_VERDICT_BAD,  /* verified to drop them */

    SPM_QEMU_FIRMWARE_VERDICT_LAST
} spmQEMUFirmwareVerdict;
SPM_ENUM_DECL(spmQEMUFirmwareVerdict);

typedef enum {
    SPM_QEMU_FIRMWARE_SOURCE_NONE = 0, /* no verdict */
    SPM_QEMU_FIRMWARE_SOURCE_CONFIG,   /* the administrator's configuration file */
    SPM_QEMU_FIRMWARE_SOURCE_TABLE,    /* virt-spm's table, by sha256 */
    SPM_QEMU_FIRMWARE_SOURCE_PACKAGE,  /* virt-spm's table, by Debian package build */

    SPM_QEMU_FIRMWARE_SOURCE_LAST
} spmQEMUFirmwareSource;
SPM_ENUM_DECL(spmQEMUFirmwareSource);

typedef struct {
    char *path;       /* the executable image */
    char *descriptor; /* the descriptor naming it; NULL for a <loader> path */
    char *sha256;     /* NULL when the image cannot be read */
    char *package;    /* the owning Debian package, NULL when none */
    char *version;    /* its version */
    char *build;      /* what the verdict table calls it (edk2 release), or NULL */
    spmQEMUFirmwareVerdict verdict;
    spmQEMUFirmwareSource source;
    bool selected; /* spmQEMUFirmwareListOffered: libvirt's choice for firmware='efi' */
} spmQEMUFirmwareInfo;

void spmQEMUFirmwareInfoFree(spmQEMUFirmwareInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmQEMUFirmwareInfo, spmQEMUFirmwareInfoFree);

/* The configuration file of verified images ($VIRT_SPM_FIRMWARE_CONF, else
 * SPM_SYSCONFDIR/firmware.conf). */
const char *spmQEMUFirmwareConfigPath(void);

/*
 * Identify the image at @path (@descriptor: the descriptor that names it,
 * or NULL) and give its verdict.  An unreadable image is unknown (sha256
 * NULL).  NULL with an error only when the configuration file is broken.
 */
spmQEMUFirmwareInfo *spmQEMUFirmwareIdentify(const char *path, const char *descriptor);

/*
 * The UEFI images the descriptors offer for guests of architecture @arch
 * (NULL: the host's) on machine type @machine (NULL: any pc or q35), in
 * libvirt's order of preference, each with its verdict; the one libvirt
 * selects for a plain <os firmware='efi'> on @machine is marked selected.
 * NULL with an error when the configuration file is broken.
 */
GPtrArray *spmQEMUFirmwareListOffered(const char *arch, const char *machine);

/*
 * The firmware verdict for a domain with typed cells (the caller knows it
 * has them: libvirt's own XML of a defined domain no longer shows them),
 * reported as the
 * validation reports: nothing for a verified-good image, an error for a
 * verified-bad one (naming what to install or which <loader> to use), one
 * warning for an unknown one.  Domains without UEFI are left to the rules
 * of src/conf (SeaBIOS is refused there).  Returns the number of errors.
 */
size_t spmQEMUFirmwareCheckDomain(const spmDomainDef *def);
