/*
 * shim_argv_rewrite.h: turns libvirt's QEMU argv into an SPM one
 *
 * The engine of the emulator shim (tools/virt-spm-shim.c).  Pure functions:
 * argv in, new argv out or an error; no I/O.  See shim_launch_data.h for the
 * launch data and docs/ for the design.
 *
 * sp-mem form, for every typed node N:
 *   -numa node,nodeid=N[,cpus=..][,initiator=..],memdev=B
 *     becomes  -numa node,nodeid=N[,cpus=..][,initiator=..]
 *   the backend B (libvirt's -object, untouched: host binding, hugepages,
 *   memfd and sharing stay libvirt's) must have exactly node.N.size bytes;
 *   -device {"driver":"sp-mem","id":"spm-nodeN","memdev":"B","node":N,"addr":A}
 *     is inserted right after the last -numa argument, in node order, so the
 *     sp-mem devices are realized before any device libvirt emits (pc-dimm);
 *     the key=value form is used instead when libvirt wrote some -device in
 *     key=value form, because QEMU realizes all key=value -device options
 *     before all JSON ones;
 *   -m loses the typed memory: size = old size - sum of typed sizes, maxmem =
 *     max(libvirt's maxmem, launch maxmem), slots = max(libvirt's slots,
 *     launch slots), written as -m size=Xk[,slots=N],maxmem=Yk.
 * memmap-type form: ",memmap-type=spm|reserved" is appended to the typed
 * -numa node options; nothing else changes.
 *
 * Anything unexpected (typed node absent or duplicated, legacy mem=, no
 * memdev, backend absent or of another size, -m absent, repeated or
 * unparsable, an argument without its value) is an error: the shim must
 * never start QEMU with the typed memory as ordinary RAM.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"
#include "shim_launch_data.h"

/* true when @arg is QEMU option @name ("numa"): "-numa" and "--numa" are the same. */
bool spmQEMUIsOption(const char *arg, const char *name);

/*
 * Looks for SPM_LAUNCH_OPTION in @argv (argv[0] is skipped).  Returns 0 when
 * there is none, 1 with *@idx set to the option's index when there is
 * exactly one followed by a value, -1 (error reported) when it is repeated
 * or has no value.
 */
int spmQEMUArgvFindLaunchData(const char *const *argv, size_t *idx);

/*
 * Applies @data to @argv, which must not contain launch-data arguments.
 * On success *@newargv is a new NULL-terminated vector (g_strfreev).
 */
int spmQEMUArgvApplyLaunchData(const char *const *argv, const spmLaunchData *data, char ***newargv);

/*
 * The value of the -device option that gives guest NUMA node @node the
 * sp-mem device on backend @memdev at guest-physical address @addr, as the
 * rewrite inserts it: JSON, or key=value when @keyval (see the top of this
 * file for when the rewrite picks which).
 */
char *spmQEMUFormatSpMemDevice(unsigned int node, const char *memdev, unsigned long long addr,
                               bool keyval);

/*
 * The value of -m that the sp-mem form gives QEMU instead of libvirt's
 * @libvirtMemory (the value of libvirt's -m): without the typed memory of
 * @data, with @data's maxmem and slots (see the top of this file for the
 * rules).  NULL with an error reported when @libvirtMemory does not parse or
 * cannot hold the typed memory.
 */
char *spmQEMUFormatMemoryWithoutTyped(const char *libvirtMemory, const spmLaunchData *data);

/*
 * The shim's whole job: returns 0 and *@newargv = NULL when @argv has no
 * launch data (pass it through untouched); 1 and the rewritten argv, without
 * the launch-data arguments, when it has; -1 with an error reported when the
 * launch data or the argv is not acceptable.
 */
int spmQEMUArgvRewrite(const char *const *argv, char ***newargv);
