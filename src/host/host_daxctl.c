/*
 * host_daxctl.c: libdaxctl, loaded when the host has a dax device
 *
 * libdaxctl brings libkmod and with it libcrypto, libzstd and liblzma into
 * a process; loading them took about 4 ms of every start of virt-spm and
 * of the hook's full decision on the test machine, whatever the verb.
 * Most hosts have no dax device at all, and only host_dax.c asks
 * libdaxctl anything, after it has seen a device on the dax bus.  So
 * virt-spm does not link libdaxctl: this file defines the libdaxctl
 * functions host_dax.c calls, and the first call loads libdaxctl.so.1
 * (spmdynlib.h).  host_dax.c is written against libdaxctl's own header.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "host_daxctl.h"
#include "spmdynlib.h"

#include <errno.h>

static spmDynLib spmDaxctl = {
    .soname = SPM_HOST_DAXCTL_SONAME,
    .package = "libdaxctl1",
    .minimum = "71", /* daxctl_dev_get_align(): LIBDAXCTL_8 */
    .code = SPM_ERR_OPERATION_FAILED,
};

/* Every libdaxctl function host_dax.c calls (the iteration macros of
 * libdaxctl.h call the get_first/get_next pairs). */
#define SPM_HOST_DAXCTL_FUNCTIONS(FN, VOIDFN)                                                      \
    FN(int, daxctl_new, (struct daxctl_ctx * *ctx), (ctx), -ENOSYS)                                \
    VOIDFN(daxctl_unref, (struct daxctl_ctx * ctx), (ctx))                                         \
    VOIDFN(daxctl_set_log_priority, (struct daxctl_ctx * ctx, int priority), (ctx, priority))      \
    FN(struct daxctl_region *, daxctl_region_get_first, (struct daxctl_ctx * ctx), (ctx), NULL)    \
    FN(struct daxctl_region *, daxctl_region_get_next, (struct daxctl_region * region), (region),  \
       NULL)                                                                                       \
    FN(struct daxctl_dev *, daxctl_dev_get_first, (struct daxctl_region * region), (region), NULL) \
    FN(struct daxctl_dev *, daxctl_dev_get_next, (struct daxctl_dev * dev), (dev), NULL)           \
    FN(const char *, daxctl_dev_get_devname, (struct daxctl_dev * dev), (dev), NULL)               \
    FN(unsigned long long, daxctl_dev_get_resource, (struct daxctl_dev * dev), (dev), 0)           \
    FN(unsigned long long, daxctl_dev_get_size, (struct daxctl_dev * dev), (dev), 0)               \
    FN(unsigned long, daxctl_dev_get_align, (struct daxctl_dev * dev), (dev), 0)                   \
    FN(int, daxctl_dev_is_enabled, (struct daxctl_dev * dev), (dev), 0)                            \
    FN(int, daxctl_dev_get_target_node, (struct daxctl_dev * dev), (dev), -1)                      \
    FN(struct daxctl_memory *, daxctl_dev_get_memory, (struct daxctl_dev * dev), (dev), NULL)

#define SPM_HOST_DAXCTL_FORWARD(ret, name, params, args, fail) \
    SPM_DYNLIB_FORWARD(spmDaxctl, ret, name, params, args, fail)
#define SPM_HOST_DAXCTL_FORWARD_VOID(name, params, args) \
    SPM_DYNLIB_FORWARD_VOID(spmDaxctl, name, params, args)
SPM_HOST_DAXCTL_FUNCTIONS(SPM_HOST_DAXCTL_FORWARD, SPM_HOST_DAXCTL_FORWARD_VOID)

#define SPM_HOST_DAXCTL_NAME(ret, name, params, args, fail) #name,
#define SPM_HOST_DAXCTL_NAME_VOID(name, params, args) #name,
static const char *const spmHostDaxctlNames[] = {
    SPM_HOST_DAXCTL_FUNCTIONS(SPM_HOST_DAXCTL_NAME, SPM_HOST_DAXCTL_NAME_VOID)};

int
spmHostDaxctlLoad(void)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(spmHostDaxctlNames); i++) {
        if (!spmDynLibSymbol(&spmDaxctl, spmHostDaxctlNames[i]))
            return -1;
    }
    return 0;
}

bool
spmHostDaxctlLoaded(void)
{
    return spmDynLibLoadedSymbol(&spmDaxctl, "daxctl_new") != NULL;
}
