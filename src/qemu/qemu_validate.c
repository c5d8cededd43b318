/*
 * qemu_validate.c: a domain checked against what one QEMU binary can do
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "qemu_validate.h"
#include "qemu_domain.h"
#include "qemu_firmware.h"
#include "domain_validate.h"
#include "spmerror.h"

#define SPM_FROM_THIS_FILE SPM_FROM_QEMU


static void
spmQEMUValidateCells(const spmDomainDef *def, const spmQEMUCaps *caps)
{
    const char *binary = spmQEMUCapsGetBinary(caps);
    const char *version = spmQEMUCapsGetVersionString(caps);
    size_t i;

    for (i = 0; i < def->numa.ncells; i++) {
        const spmNumaCell *cell = &def->numa.cells[i];

        if (spmQEMUCapsSupportsMemmap(caps, cell->memmap))
            continue;

        if (cell->memmap == SPM_MEMMAP_SPM) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("NUMA cell '%1$u' is typed 'spm', but QEMU '%2$s' (%3$s) offers no SPM interface (needs QEMU 11.1 with the sp-mem device, or a build with -numa memmap-type)"),
                cell->id, binary, version);
        } else if (spmQEMUCapsGetSpmForm(caps) == SPM_FORM_SP_MEM) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("NUMA cell '%1$u' is typed 'reserved', but QEMU '%2$s' (%3$s) offers only the sp-mem device, which has no reserved typing (needs a build with -numa memmap-type=reserved)"),
                cell->id, binary, version);
        } else {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("NUMA cell '%1$u' is typed 'reserved', but QEMU '%2$s' (%3$s) offers no reserved typing (needs a build with -numa memmap-type=reserved)"),
                cell->id, binary, version);
        }
    }
}


bool
spmQEMUValidateArch(const char *arch, const spmQEMUCaps *caps)
{
    const char *emulatorArch = spmQEMUCapsGetArch(caps);

    if (!emulatorArch || spmQEMUArchIsEmulatedBy(arch, emulatorArch))
        return true;
    spmReportError(
        SPM_ERR_CONFIG_UNSUPPORTED,
        _("architecture '%1$s' is not offered by QEMU '%2$s' (%3$s), which emulates '%4$s'"), arch,
        spmQEMUCapsGetBinary(caps), spmQEMUCapsGetVersionString(caps), emulatorArch);
    return false;
}


static void
spmQEMUValidatePlatform(const spmDomainDef *def, const spmQEMUCaps *caps)
{
    const char *binary = spmQEMUCapsGetBinary(caps);
    const char *version = spmQEMUCapsGetVersionString(caps);

    if (def->os.machine && !spmQEMUCapsHasMachine(caps, def->os.machine)) {
        spmReportError(SPM_ERR_CONFIG_UNSUPPORTED,
                       _("machine type '%1$s' is not offered by QEMU '%2$s' (%3$s)"),
                       def->os.machine, binary, version);
    }

    if (def->os.arch)
        spmQEMUValidateArch(def->os.arch, caps);
}


/* QEMU lists sp-mem among the memory devices, and libvirt (every release so
 * far) fails on the unknown type whenever it reads that list: it does so at
 * start and on reconnect, once the domain has a memory device of its own. */
static void
spmQEMUValidateMemoryDevices(const spmDomainDef *def, const spmQEMUCaps *caps)
{
    if (def->nmems == 0 || spmDomainDefCountTypedCells(def) == 0 ||
        spmQEMUCapsGetSpmForm(caps) != SPM_FORM_SP_MEM)
        return;
    spmReportError(
        SPM_ERR_CONFIG_UNSUPPORTED,
        _("memory device '%1$s' (number 1 of %2$zu) cannot be used beside typed cells with QEMU's sp-mem form: libvirt does not know the sp-mem entries QEMU lists among memory devices, so it refuses to start such a domain ('sp-mem memory device info is not handled yet') and stops it when libvirtd restarts; remove the <memory> devices (keep <maxMemory> if you like), or use a QEMU with the memmap-type form"),
        def->mems[0].modelName ? def->mems[0].modelName : "?", def->nmems);
}


static void
spmQEMUValidateHMAT(const spmDomainDef *def, const spmQEMUCaps *caps)
{
    bool caches = false;
    size_t i;

    for (i = 0; i < def->numa.ncells; i++)
        caches |= def->numa.cells[i].ncaches > 0;

    if ((def->numa.ninterconnects > 0 || caches) && !spmQEMUCapsHasHMAT(caps)) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("NUMA interconnects and caches need HMAT, which QEMU '%1$s' (%2$s) does not offer"),
            spmQEMUCapsGetBinary(caps), spmQEMUCapsGetVersionString(caps));
    }
}


size_t
spmQEMUValidateRules(const spmDomainDef *def)
{
    size_t mark = spmErrorCount();

    spmDomainDefValidate(def);
    if (spmDomainDefCountTypedCells(def) > 0 && !spmQEMUMachineIsPCFamily(def->os.machine)) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("machine type '%1$s' cannot have typed NUMA cells: only pc (i440fx) and q35 machine types map SPM memory (microvm and others silently leave the guest without it); use machine='q35'"),
            def->os.machine);
    }
    /* Only once the rules passed: a refused domain gets no firmware
     * verdict on top of its errors. */
    if (spmErrorCount() == mark && spmDomainDefCountTypedCells(def) > 0)
        spmQEMUFirmwareCheckDomain(def);
    return spmErrorCount() - mark;
}


int
spmQEMUValidateDomainDef(const spmDomainDef *def, const spmQEMUCaps *caps)
{
    size_t before = spmErrorCount();

    spmQEMUValidatePlatform(def, caps);
    spmQEMUValidateCells(def, caps);
    spmQEMUValidateHMAT(def, caps);
    spmQEMUValidateMemoryDevices(def, caps);
    return (int)(spmErrorCount() - before);
}
