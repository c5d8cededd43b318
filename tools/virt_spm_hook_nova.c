/*
 * virt_spm_hook_nova.c: the libvirt hook's part for OpenStack Nova guests
 *
 * Nova defines its guests itself and never sets <emulator>, so libvirt runs
 * the host's default QEMU, which `virt-spm host-setup --install` replaced
 * with a link to virt-spm's shim.  The typing comes from the flavor
 * (domain_nova.h); the launch data goes to the shim through a runtime file
 * (shim_runtime_launch_data.h), since a hook cannot change the XML.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm_hook_nova.h"
#include "shim_hook_screen.h"
#include "domain_conf.h"
#include "domain_nova.h"
#include "qemu_capscache.h"
#include "qemu_define.h"
#include "qemu_validate.h"
#include "shim_emulator_link.h"
#include "shim_runtime_launch_data.h"
#include "spmerror.h"
#include "spmuuid.h"

#include <stdio.h>
#include <string.h>

#define SPM_FROM_THIS_FILE SPM_FROM_SHIM

static int
spmHookNovaRefuse(const char *guest, const spmNovaTyping *typing)
{
    spmErrorPrintAll(stderr, SPM_QEMU_HOOK_PROG);
    fprintf(
        stderr,
        _("%1$s: error: refusing to start Nova instance '%2$s' (flavor '%3$s'): it asks for SPM-typed NUMA nodes that cannot be honoured on this host, and it must not boot that memory as ordinary RAM\n"),
        SPM_QEMU_HOOK_PROG, guest, typing && typing->flavor ? typing->flavor : "?");
    return -1;
}

static char *
spmHookNovaChildContent(xmlDocPtr doc, const char *path)
{
    xmlNodePtr node = spmXMLFindPath(xmlDocGetRootElement(doc), path);

    return node ? spmXMLNodeContent(node) : NULL;
}

/* The typing applied to the domain's own cells. */
static int
spmHookNovaApplyTyping(spmDomainDef *def, const spmNovaTyping *typing)
{
    size_t i;

    for (i = 0; i < typing->ncells; i++) {
        const spmNovaCellTyping *cell = &typing->cells[i];

        if (!spmDomainDefGetCell(def, cell->node)) {
            spmReportError(
                SPM_ERR_CONFIG_UNSUPPORTED,
                _("%1$s types guest NUMA node '%2$u', but the domain has no NUMA cell '%2$u': give the flavor hw:numa_nodes and hw:numa_mem.%2$u, or drop '%3$s%2$u'"),
                typing->source, cell->node, SPM_NOVA_EXTRA_SPEC_MEMMAP);
            return -1;
        }
        spmDomainDefSetCellMemmap(def, cell->node, cell->memmap);
    }
    return 0;
}

int
spmHookNovaPrepare(const char *guest, xmlDocPtr doc)
{
    g_autoptr(spmNovaTyping) typing = NULL;
    g_autoptr(spmDomainDef) def = NULL;
    g_autoptr(spmQEMUCaps) caps = NULL;
    g_autoptr(spmLaunchData) launch = NULL;
    g_autofree char *uuid = spmHookNovaChildContent(doc, "uuid");
    g_autofree char *emulator = spmHookNovaChildContent(doc, "devices/emulator");
    g_autofree char *linkPath = NULL;
    g_autofree char *real = NULL;
    xmlDocPtr copy;
    int rc;

    if ((rc = spmNovaTypingFromDoc(doc, NULL, &typing)) < 0)
        return spmHookNovaRefuse(guest, typing);
    if (rc == 0 || spmNovaTypingCountTyped(typing) == 0) {
        /* launch data left by an earlier start with a typed flavor (a
         * resize, or a stop the hook did not see) must not type this one */
        if (rc > 0 && uuid && spmRuntimeLaunchDataRemove(spmRuntimeLaunchDir(), uuid) < 0)
            return spmHookNovaRefuse(guest, typing);
        return 0;
    }
    if (!uuid) {
        spmReportError(SPM_ERR_XML_ERROR, "%s",
                       _("the domain XML from libvirt has no <uuid>, which the launch data needs"));
        return spmHookNovaRefuse(guest, typing);
    }
    if (!emulator || !g_path_is_absolute(emulator) ||
        (rc = spmEmulatorLinkResolve(emulator, &linkPath, &real)) == 0) {
        spmReportError(
            SPM_ERR_CONFIG_UNSUPPORTED,
            _("the emulator '%1$s' that libvirt will run is not virt-spm's shim, so %2$s would boot as ordinary RAM; put the shim in front of the host's QEMU with 'virt-spm host-setup --install --qemu PATH'"),
            emulator ? emulator : "", typing->source);
        return spmHookNovaRefuse(guest, typing);
    }
    if (rc < 0)
        return spmHookNovaRefuse(guest, typing);

    if (!(copy = xmlCopyDoc(doc, 1)) || !(def = spmDomainDefParseDoc(copy)) ||
        spmHookNovaApplyTyping(def, typing) < 0 || spmQEMUValidateRules(def) > 0)
        return spmHookNovaRefuse(guest, typing);
    SPM_DEBUG("Nova instance '%s': capabilities of '%s' behind '%s'", guest, real, linkPath);
    if (!(caps = spmQEMUCapsLookup(real, 0)) || spmQEMUDefinePrepare(def, caps, NULL, &launch) < 0)
        return spmHookNovaRefuse(guest, typing);
    if (spmRuntimeLaunchDataWrite(spmRuntimeLaunchDir(), uuid, launch) < 0)
        return spmHookNovaRefuse(guest, typing);
    /* warnings (such as an unverified firmware) go to libvirt's log */
    spmErrorPrintAll(stderr, SPM_QEMU_HOOK_PROG);
    return 1;
}

int
spmHookNovaRelease(const char *guest, const char *buf, size_t len)
{
    g_autofree char *uuid = spmHookStoppedUUID(buf, len);

    if (!uuid)
        return 0;
    if (spmRuntimeLaunchDataRemove(spmRuntimeLaunchDir(), uuid) < 0) {
        spmErrorPrintAll(stderr, SPM_QEMU_HOOK_PROG);
        fprintf(stderr, _("%1$s: error: cannot remove the launch data of domain '%2$s'\n"),
                SPM_QEMU_HOOK_PROG, guest);
        return 1;
    }
    return 0;
}
