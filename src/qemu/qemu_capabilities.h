/*
 * qemu_capabilities.h: what a QEMU binary can do for SPM-typed NUMA nodes
 *
 * The capabilities come from a live probe of the binary (see
 * qemu_process_probe.h), from a recorded .replies file, or from a caps file
 * written by spmQEMUCapsFormat() (the cache format, also used for the
 * expected files in tests/qemucapabilitiesdata/).
 *
 * The caps file is XML:
 *
 *   <spmQEMUCaps>
 *     <emulator>/usr/bin/qemu-system-x86_64</emulator>
 *     <stamp>                                  only in cache files
 *       <binary ctime='NS' mtime='NS' size='N' inode='N' dev='N'/>
 *       <moduleDir path='DIR' mtime='NS'/>     no attributes: no module dir
 *       <selfVersion>0.1.0</selfVersion>
 *     </stamp>
 *     <version>11001003</version>              major*1000000+minor*1000+micro
 *     <package>Debian 1:11.1.3+ds-1</package>  optional
 *     <arch>x86_64</arch>
 *     <spmForm>sp-mem</spmForm>                derived from the flags; ignored on load
 *     <flag name='device.sp-mem'/>             one per spmQEMUCapsFlags string
 *     <memoryDevice type='pc-dimm'/>           qom-list-types implements=memory-device
 *     <deviceProperties type='sp-mem'>
 *       <property name='memdev' type='link&lt;memory-backend&gt;'/>
 *     </deviceProperties>
 *     <machine name='pc-q35-11.1' alias='q35' default='yes' acpi='yes'
 *              numaMemSupported='no' deprecated='no' maxCpus='4096'
 *              defaultRAMid='pc.ram'/>
 *   </spmQEMUCaps>
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"
#include "spmenum.h"
#include "spmmemmap.h"
#include "qemu_process_probe.h"

/* Capability flags; the strings are the names used in caps files.  New
 * flags go before SPM_QEMU_CAPS_LAST. */
typedef enum {
    SPM_QEMU_CAPS_DEVICE_SP_MEM = 0,                /* sp-mem is a memory-device type */
    SPM_QEMU_CAPS_SP_MEM_PROPS,                     /* sp-mem has memdev, node and addr */
    SPM_QEMU_CAPS_QUERY_MEMORY_DEVICES_SP_MEM,      /* MemoryDeviceInfoKind has sp-mem */
    SPM_QEMU_CAPS_QUERY_MEMORY_DEVICES_SP_MEM_ADDR, /* ... and its info has 'addr' */
    SPM_QEMU_CAPS_NUMA_MEMMAP_TYPE,                 /* -numa node,memmap-type= */
    SPM_QEMU_CAPS_NUMA_MEMMAP_TYPE_SPM,             /* ... =spm */
    SPM_QEMU_CAPS_NUMA_MEMMAP_TYPE_RESERVED,        /* ... =reserved */
    SPM_QEMU_CAPS_NUMA_HMAT,                        /* -numa hmat-lb (and hmat-cache) */
    SPM_QEMU_CAPS_OBJECT_JSON,                      /* -object takes JSON (qapified objects) */
    SPM_QEMU_CAPS_DEVICE_JSON,                      /* -device takes JSON */
    SPM_QEMU_CAPS_OBJECT_MEMORY_RAM,                /* memory-backend-ram */
    SPM_QEMU_CAPS_OBJECT_MEMORY_MEMFD,              /* memory-backend-memfd */
    SPM_QEMU_CAPS_OBJECT_MEMORY_FILE,               /* memory-backend-file */
    SPM_QEMU_CAPS_DEVICE_PC_DIMM,                   /* pc-dimm is a memory-device type */

    SPM_QEMU_CAPS_LAST
} spmQEMUCapsFlags;
SPM_ENUM_DECL(spmQEMUCaps);

typedef struct {
    char *name;  /* "pc-q35-11.1" */
    char *alias; /* "q35", or NULL */
    bool isDefault;
    int acpi;              /* spmTristateBool: absent in QEMU < 8.0 */
    bool numaMemSupported; /* -numa node,mem= accepted */
    bool deprecated;
    unsigned int maxCpus;
    char *defaultRAMid; /* or NULL */
} spmQEMUCapsMachine;

typedef struct {
    char *name;
    char *type;
} spmQEMUCapsProperty;

/* What a cached result depends on; see qemu_capscache.h. */
typedef struct {
    long long binaryCtimeNs;
    long long binaryMtimeNs;
    unsigned long long binarySize;
    unsigned long long binaryInode;
    unsigned long long binaryDev;
    char *moduleDir; /* NULL: none found */
    long long moduleDirMtimeNs;
    char *selfVersion; /* PACKAGE_VERSION of the writer */
} spmQEMUCapsStamp;

void spmQEMUCapsStampClear(spmQEMUCapsStamp *stamp);
bool spmQEMUCapsStampEqual(const spmQEMUCapsStamp *a, const spmQEMUCapsStamp *b);

typedef struct _spmQEMUCaps spmQEMUCaps;

spmQEMUCaps *spmQEMUCapsNew(const char *binary);
void spmQEMUCapsFree(spmQEMUCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(spmQEMUCaps, spmQEMUCapsFree);

/* Live probe of @binary, without the cache. */
spmQEMUCaps *spmQEMUCapsProbe(const char *binary);
/* The same with explicit timeouts and limits (@opts may be NULL). */
spmQEMUCaps *spmQEMUCapsProbeFull(const char *binary, const spmQEMUProbeOptions *opts);

/* An absolute path for @binary: searched in $PATH when it has no '/'.
 * NULL with an error reported when it cannot be found. */
char *spmQEMUCapsResolveBinary(const char *binary);

/* Offline, from a .replies file; @binaryName (NULL: @repliesPath) names the
 * emulator in messages and in the formatted caps. */
spmQEMUCaps *spmQEMUCapsNewFromReplies(const char *repliesPath, const char *binaryName);

/* Reads a caps file (spmQEMUCapsFormat) or, when the file is JSON, a
 * .replies file.  Returns NULL with an error reported. */
spmQEMUCaps *spmQEMUCapsLoadFile(const char *path);
/* Parses a caps file held in memory; @name labels it in messages. */
spmQEMUCaps *spmQEMUCapsParseString(const char *xml, size_t len, const char *name);

/* The caps file (see above), including the stamp when there is one. */
char *spmQEMUCapsFormat(const spmQEMUCaps *caps);

spmForm spmQEMUCapsGetSpmForm(const spmQEMUCaps *caps);
/* Whether a NUMA cell typed @memmap (spmMemmap) can be given to this
 * QEMU: normal always; spm with either form; reserved only with
 * memmap-type=reserved (the sp-mem device has no reserved typing). */
bool spmQEMUCapsSupportsMemmap(const spmQEMUCaps *caps, int memmap);

bool spmQEMUCapsGet(const spmQEMUCaps *caps, spmQEMUCapsFlags flag);
void spmQEMUCapsSet(spmQEMUCaps *caps, spmQEMUCapsFlags flag);
void spmQEMUCapsClear(spmQEMUCaps *caps, spmQEMUCapsFlags flag);

const char *spmQEMUCapsGetBinary(const spmQEMUCaps *caps);
void spmQEMUCapsSetBinary(spmQEMUCaps *caps, const char *binary);
/* major*1000000 + minor*1000 + micro */
unsigned int spmQEMUCapsGetVersion(const spmQEMUCaps *caps);
/* "11.1.3" */
const char *spmQEMUCapsGetVersionString(const spmQEMUCaps *caps);
/* The distribution's package string, or NULL. */
const char *spmQEMUCapsGetPackage(const spmQEMUCaps *caps);
/* libvirt's name of the target architecture ("x86_64", "i686") */
const char *spmQEMUCapsGetArch(const spmQEMUCaps *caps);

/* "q35" -> "pc-q35-11.1"; NULL name -> the default machine; NULL if unknown */
const char *spmQEMUCapsResolveMachine(const spmQEMUCaps *caps, const char *name);
/* true when @name is a machine type or an alias of one */
bool spmQEMUCapsHasMachine(const spmQEMUCaps *caps, const char *name);
/* The machine type @name (or the one with that alias), or NULL. */
const spmQEMUCapsMachine *spmQEMUCapsGetMachine(const spmQEMUCaps *caps, const char *name);

bool spmQEMUCapsHasHMAT(const spmQEMUCaps *caps);
bool spmQEMUCapsHasObjectJSON(const spmQEMUCaps *caps);
bool spmQEMUCapsHasDeviceJSON(const spmQEMUCaps *caps);
/* true when @type is a memory-device type ("sp-mem", "pc-dimm", ...) */
bool spmQEMUCapsHasMemoryDevice(const spmQEMUCaps *caps, const char *type);

/* The stamp of a cached result, or NULL. */
const spmQEMUCapsStamp *spmQEMUCapsGetStamp(const spmQEMUCaps *caps);
/* Copies @stamp into @caps; NULL removes the stamp. */
void spmQEMUCapsSetStamp(spmQEMUCaps *caps, const spmQEMUCapsStamp *stamp);

/* "7.2.22" for 7002022 */
char *spmQEMUCapsVersionToString(unsigned int version);
