/*
 * virt_spm_libvirt_loader.c: libvirt, loaded by the first verb that talks
 * to it
 *
 * libvirt.so pulls about fifty shared libraries into a process (gnutls,
 * libssh, libcurl, ...), and loading and relocating them took most of a
 * virt-spm start, about 25 ms on the test machine: the same for every
 * verb, including the ones that never talk to libvirt (validate, layout,
 * domcapabilities, nodeinfo, provider-config).  So virt-spm does not link
 * libvirt.  This file defines the libvirt functions the CLI calls; the
 * first call of any of them loads libvirt.so.0 (and libvirt-qemu.so.0 for
 * the one QEMU-specific call) with dlopen() and forwards it.  The CLI is
 * written against libvirt's own headers, as if it were linked: only this
 * file knows.
 *
 * When libvirt cannot be loaded, the call fails as libvirt calls fail
 * (NULL or -1), with the reason queued as an error; the error functions
 * (virGetLastError, ...) then report no libvirt error.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "virt_spm_libvirt.h"
#include "spmdynlib.h"

#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#define SPM_LIBVIRT_PACKAGE "libvirt0"
#define SPM_LIBVIRT_MINIMUM "9.0"

static spmDynLib spmLibvirt = {
    .soname = "libvirt.so.0",
    .package = SPM_LIBVIRT_PACKAGE,
    .minimum = SPM_LIBVIRT_MINIMUM,
    .code = SPM_ERR_LIBVIRT_ERROR,
};
static spmDynLib spmLibvirtQemu = {
    .soname = "libvirt-qemu.so.0",
    .package = SPM_LIBVIRT_PACKAGE,
    .minimum = SPM_LIBVIRT_MINIMUM,
    .code = SPM_ERR_LIBVIRT_ERROR,
};

SPM_DYNLIB_FORWARD(spmLibvirt, virConnectPtr, virConnectOpen, (const char *name), (name), NULL)
SPM_DYNLIB_FORWARD(spmLibvirt, int, virConnectClose, (virConnectPtr conn), (conn), -1)
SPM_DYNLIB_FORWARD(spmLibvirt, char *, virConnectDomainXMLToNative,
                   (virConnectPtr conn, const char *nativeFormat, const char *domainXml,
                    unsigned int flags),
                   (conn, nativeFormat, domainXml, flags), NULL)
SPM_DYNLIB_FORWARD(spmLibvirt, virDomainPtr, virDomainDefineXMLFlags,
                   (virConnectPtr conn, const char *xml, unsigned int flags), (conn, xml, flags),
                   NULL)
SPM_DYNLIB_FORWARD(spmLibvirt, int, virDomainFree, (virDomainPtr domain), (domain), -1)
SPM_DYNLIB_FORWARD(spmLibvirt, const char *, virDomainGetName, (virDomainPtr domain), (domain),
                   NULL)
SPM_DYNLIB_FORWARD(spmLibvirt, int, virDomainGetUUIDString, (virDomainPtr domain, char *buf),
                   (domain, buf), -1)
SPM_DYNLIB_FORWARD(spmLibvirt, char *, virDomainGetXMLDesc,
                   (virDomainPtr domain, unsigned int flags), (domain, flags), NULL)
SPM_DYNLIB_FORWARD(spmLibvirt, int, virDomainIsActive, (virDomainPtr dom), (dom), -1)
SPM_DYNLIB_FORWARD(spmLibvirt, virDomainPtr, virDomainLookupByID, (virConnectPtr conn, int id),
                   (conn, id), NULL)
SPM_DYNLIB_FORWARD(spmLibvirt, virDomainPtr, virDomainLookupByName,
                   (virConnectPtr conn, const char *name), (conn, name), NULL)
SPM_DYNLIB_FORWARD(spmLibvirt, virDomainPtr, virDomainLookupByUUIDString,
                   (virConnectPtr conn, const char *uuid), (conn, uuid), NULL)
SPM_DYNLIB_FORWARD(spmLibvirt, int, virDomainUndefineFlags,
                   (virDomainPtr domain, unsigned int flags), (domain, flags), -1)
SPM_DYNLIB_FORWARD(spmLibvirt, int, virDomainAttachDeviceFlags,
                   (virDomainPtr domain, const char *xml, unsigned int flags), (domain, xml, flags),
                   -1)
SPM_DYNLIB_FORWARD(spmLibvirtQemu, int, virDomainQemuMonitorCommand,
                   (virDomainPtr domain, const char *cmd, char **result, unsigned int flags),
                   (domain, cmd, result, flags), -1)
/* Error functions: before libvirt is loaded there is no libvirt error,
 * and they must not load libvirt just to say so. */
SPM_DYNLIB_FORWARD_IF_LOADED(spmLibvirt, virErrorPtr, virGetLastError, (void), (), NULL)
SPM_DYNLIB_FORWARD_IF_LOADED(spmLibvirt, int, virGetLastErrorCode, (void), (), VIR_ERR_OK)

SPM_DYNLIB_FORWARD_VOID_IF_LOADED(spmLibvirt, virResetLastError, (void), ())
SPM_DYNLIB_FORWARD_VOID(spmLibvirt, virSetErrorFunc, (void *userData, virErrorFunc handler),
                        (userData, handler))
