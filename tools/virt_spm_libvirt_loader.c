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
#include "spmerror.h"

#include <dlfcn.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#define SPM_FROM_THIS_FILE SPM_FROM_LIBVIRT

#define SPM_LIBVIRT_SONAME "libvirt.so.0"
#define SPM_LIBVIRT_QEMU_SONAME "libvirt-qemu.so.0"

/* @soname's handle, loaded once; NULL with an error queued (each time)
 * when it cannot be loaded. */
static void *
spmCliLibvirtLoad(const char *soname, void **handle)
{
    if (!*handle && !(*handle = dlopen(soname, RTLD_NOW | RTLD_GLOBAL))) {
        const char *why = dlerror();

        spmReportError(
            SPM_ERR_LIBVIRT_ERROR,
            _("cannot load the libvirt library '%1$s' (%2$s); install libvirt's client library (Debian: libvirt0)"),
            soname, why ? why : _("no reason given"));
    }
    return *handle;
}

static void *
spmCliLibvirtSymbol(const char *soname, const char *name)
{
    static void *libvirt;
    static void *libvirtQemu;
    void *handle =
        spmCliLibvirtLoad(soname, SPM_STREQ(soname, SPM_LIBVIRT_SONAME) ? &libvirt : &libvirtQemu);
    void *sym;

    if (!handle)
        return NULL;
    if (!(sym = dlsym(handle, name))) {
        spmReportError(
            SPM_ERR_LIBVIRT_ERROR,
            _("the libvirt library '%1$s' has no function '%2$s'; virt-spm needs libvirt 9.0 or later"),
            soname, name);
    }
    return sym;
}

/* libvirt's function @name, forwarded; @fail when libvirt is missing. */
#define SPM_LIBVIRT_FORWARD(soname, ret, name, params, args, fail)            \
    ret name params                                                           \
    {                                                                         \
        static ret(*fn) params;                                               \
                                                                              \
        if (!fn && !(fn = (ret(*) params)spmCliLibvirtSymbol(soname, #name))) \
            return fail;                                                      \
        return fn args;                                                       \
    }

/* Error functions: before libvirt is loaded there is no libvirt error,
 * and they must not load libvirt just to say so. */
#define SPM_LIBVIRT_FORWARD_IF_LOADED(ret, name, params, args, none)  \
    ret name params                                                   \
    {                                                                 \
        static ret(*fn) params;                                       \
                                                                      \
        if (!fn && !(fn = (ret(*) params)spmCliLibvirtLoaded(#name))) \
            return none;                                              \
        return fn args;                                               \
    }

static void *
spmCliLibvirtLoaded(const char *name)
{
    void *handle = dlopen(SPM_LIBVIRT_SONAME, RTLD_NOW | RTLD_NOLOAD);
    void *sym = handle ? dlsym(handle, name) : NULL;

    if (handle)
        dlclose(handle);
    return sym;
}

SPM_LIBVIRT_FORWARD(SPM_LIBVIRT_SONAME, virConnectPtr, virConnectOpen, (const char *name), (name),
                    NULL)
SPM_LIBVIRT_FORWARD(SPM_LIBVIRT_SONAME, int, virConnectClose, (virConnectPtr conn), (conn), -1)
SPM_LIBVIRT_FORWARD(SPM_LIBVIRT_SONAME, char *, virConnectDomainXMLToNative,
                    (virConnectPtr conn, const char *nativeFormat, const char *domainXml,
                     unsigned int flags),
                    (conn, nativeFormat, domainXml, flags), NULL)
SPM_LIBVIRT_FORWARD(SPM_LIBVIRT_SONAME, virDomainPtr, virDomainDefineXMLFlags,
                    (virConnectPtr conn, const char *xml, unsigned int flags), (conn, xml, flags),
                    NULL)
SPM_LIBVIRT_FORWARD(SPM_LIBVIRT_SONAME, int, virDomainFree, (virDomainPtr domain), (domain), -1)
SPM_LIBVIRT_FORWARD(SPM_LIBVIRT_SONAME, const char *, virDomainGetName, (virDomainPtr domain),
                    (domain), NULL)
SPM_LIBVIRT_FORWARD(SPM_LIBVIRT_SONAME, int, virDomainGetUUIDString,
                    (virDomainPtr domain, char *buf), (domain, buf), -1)
SPM_LIBVIRT_FORWARD(SPM_LIBVIRT_SONAME, char *, virDomainGetXMLDesc,
                    (virDomainPtr domain, unsigned int flags), (domain, flags), NULL)
SPM_LIBVIRT_FORWARD(SPM_LIBVIRT_SONAME, int, virDomainIsActive, (virDomainPtr dom), (dom), -1)
SPM_LIBVIRT_FORWARD(SPM_LIBVIRT_SONAME, virDomainPtr, virDomainLookupByID,
                    (virConnectPtr conn, int id), (conn, id), NULL)
SPM_LIBVIRT_FORWARD(SPM_LIBVIRT_SONAME, virDomainPtr, virDomainLookupByName,
                    (virConnectPtr conn, const char *name), (conn, name), NULL)
SPM_LIBVIRT_FORWARD(SPM_LIBVIRT_SONAME, virDomainPtr, virDomainLookupByUUIDString,
                    (virConnectPtr conn, const char *uuid), (conn, uuid), NULL)
SPM_LIBVIRT_FORWARD(SPM_LIBVIRT_SONAME, int, virDomainUndefineFlags,
                    (virDomainPtr domain, unsigned int flags), (domain, flags), -1)
SPM_LIBVIRT_FORWARD(SPM_LIBVIRT_SONAME, int, virDomainAttachDeviceFlags,
                    (virDomainPtr domain, const char *xml, unsigned int flags),
                    (domain, xml, flags), -1)
SPM_LIBVIRT_FORWARD(SPM_LIBVIRT_QEMU_SONAME, int, virDomainQemuMonitorCommand,
                    (virDomainPtr domain, const char *cmd, char **result, unsigned int flags),
                    (domain, cmd, result, flags), -1)
SPM_LIBVIRT_FORWARD_IF_LOADED(virErrorPtr, virGetLastError, (void), (), NULL)
SPM_LIBVIRT_FORWARD_IF_LOADED(int, virGetLastErrorCode, (void), (), VIR_ERR_OK)

void
virResetLastError(void)
{
    static void (*fn)(void);

    if (fn || (fn = (void (*)(void))spmCliLibvirtLoaded("virResetLastError")))
        fn();
}

void
virSetErrorFunc(void *userData, virErrorFunc handler)
{
    static void (*fn)(void *, virErrorFunc);

    if (fn ||
        (fn = (void (*)(void *, virErrorFunc))spmCliLibvirtSymbol(SPM_LIBVIRT_SONAME,
                                                                  "virSetErrorFunc")))
        fn(userData, handler);
}
