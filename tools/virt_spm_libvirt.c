/*
 * virt_spm_libvirt.c: the virt-spm CLI's connection to libvirt
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm_libvirt.h"
#include "spmerror.h"
#include "spmunits.h"

#include <libvirt/virterror.h>

#define SPM_FROM_THIS_FILE SPM_FROM_LIBVIRT

static void
spmCliLibvirtSilence(void *opaque G_GNUC_UNUSED, virErrorPtr err G_GNUC_UNUSED)
{
    /* errors are taken with virGetLastError() and printed by virt-spm */
}

void
spmCliReportLibvirtError(const char *context)
{
    virErrorPtr err = virGetLastError();

    if (err && err->message)
        spmReportError(SPM_ERR_LIBVIRT_ERROR, "%s: %s", context, err->message);
    else
        spmReportError(SPM_ERR_LIBVIRT_ERROR, _("%1$s: libvirt gave no reason"), context);
    virResetLastError();
}

virConnectPtr
spmCliConnect(spmCliContext *ctx)
{
    virConnectPtr conn;

    virSetErrorFunc(NULL, spmCliLibvirtSilence);
    if (!(conn = virConnectOpen(ctx->uri))) {
        g_autofree char *context = g_strdup_printf(_("failed to connect to the hypervisor '%1$s'"),
                                                   ctx->uri ? ctx->uri : _("(default)"));
        spmCliReportLibvirtError(context);
    }
    return conn;
}

virDomainPtr
spmCliLookupDomain(virConnectPtr conn, const char *name)
{
    virDomainPtr dom = NULL;
    unsigned int id;

    if (spmParseUInt(name, SPM_NUMBER_BLANKS, &id))
        dom = virDomainLookupByID(conn, id);
    if (!dom && strlen(name) == VIR_UUID_STRING_BUFLEN - 1)
        dom = virDomainLookupByUUIDString(conn, name);
    if (!dom)
        dom = virDomainLookupByName(conn, name);
    if (!dom) {
        g_autofree char *context = g_strdup_printf(_("failed to get domain '%1$s'"), name);
        spmCliReportLibvirtError(context);
    } else {
        virResetLastError();
    }
    return dom;
}
