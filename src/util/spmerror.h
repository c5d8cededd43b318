/*
 * spmerror.h: libvirt-style error reporting
 *
 * Errors are reported where they are detected, with a code that says what
 * kind of problem it is and a translatable message that names the element
 * and the value.  They are queued per thread, so that validation can report
 * every problem it finds and the caller prints them all.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spminternal.h"
#include "spmenum.h"

#include <stdio.h>

typedef enum {
    SPM_ERR_OK = 0,
    SPM_ERR_INTERNAL_ERROR,     /* a bug or an inconsistency */
    SPM_ERR_INVALID_ARG,        /* bad arguments on the command line or to a function */
    SPM_ERR_SYSTEM_ERROR,       /* a system call failed; errno text appended */
    SPM_ERR_XML_ERROR,          /* structural XML problem */
    SPM_ERR_XML_DETAIL,         /* detailed XML problem */
    SPM_ERR_XML_INVALID_SCHEMA, /* RELAX NG validation failed */
    SPM_ERR_CONFIG_UNSUPPORTED, /* valid XML that the guest/QEMU cannot do */
    SPM_ERR_OPERATION_FAILED,   /* an operation failed */
    SPM_ERR_OPERATION_TIMEOUT,  /* an operation did not finish in time */
    SPM_ERR_OPERATION_INVALID,  /* an operation not allowed in this state */
    SPM_ERR_QMP_ERROR,          /* QEMU's monitor answered an error or garbage */
    SPM_ERR_LIBVIRT_ERROR,      /* libvirt reported an error */

    SPM_ERR_LAST
} spmErrorCode;

typedef enum {
    SPM_FROM_NONE = 0,
    SPM_FROM_UTIL,
    SPM_FROM_XML,
    SPM_FROM_DOMAIN,
    SPM_FROM_SCHEMA,
    SPM_FROM_QEMU,
    SPM_FROM_QMP,
    SPM_FROM_CAPS,
    SPM_FROM_LAYOUT,
    SPM_FROM_LIBVIRT,
    SPM_FROM_SHIM,
    SPM_FROM_CLI,

    SPM_FROM_LAST
} spmErrorDomain;

typedef enum {
    SPM_ERR_LEVEL_ERROR = 0,
    SPM_ERR_LEVEL_WARNING,

    SPM_ERR_LEVEL_LAST
} spmErrorLevel;

SPM_ENUM_DECL(spmErrorDomain);

typedef struct _spmError spmError;
struct _spmError {
    spmErrorCode code;
    spmErrorDomain domain;
    spmErrorLevel level;
    char *message; /* the message without the code prefix */
};

void spmErrorReport(spmErrorDomain domain, spmErrorCode code, spmErrorLevel level,
                    const char *filename, const char *funcname, size_t linenr, const char *fmt, ...)
    G_GNUC_PRINTF(7, 8);

void spmErrorReportSystem(spmErrorDomain domain, int theerrno, const char *filename,
                          const char *funcname, size_t linenr, const char *fmt, ...)
    G_GNUC_PRINTF(6, 7);

/* Each .c file defines SPM_FROM_THIS_FILE before using these. */
#define spmReportError(code, ...)                                                               \
    spmErrorReport(SPM_FROM_THIS_FILE, code, SPM_ERR_LEVEL_ERROR, __FILE__, __func__, __LINE__, \
                   __VA_ARGS__)
#define spmReportWarning(code, ...)                                                               \
    spmErrorReport(SPM_FROM_THIS_FILE, code, SPM_ERR_LEVEL_WARNING, __FILE__, __func__, __LINE__, \
                   __VA_ARGS__)
#define spmReportSystemError(theerrno, ...) \
    spmErrorReportSystem(SPM_FROM_THIS_FILE, theerrno, __FILE__, __func__, __LINE__, __VA_ARGS__)

/* Number of queued errors (warnings are not counted). */
size_t spmErrorCount(void);
/* Number of queued warnings. */
size_t spmWarningCount(void);
/* All queued entries (errors and warnings) in report order. */
const spmError *spmErrorGet(size_t idx);
size_t spmErrorTotal(void);
/* The last queued error (not warning), or NULL. */
const spmError *spmGetLastError(void);
/* true when some queued error has @code */
bool spmErrorHasCode(spmErrorCode code);
/* Format an entry as it is printed: "<prefix><message>". */
char *spmErrorFormat(const spmError *err);
/* Print every queued entry as "error: ..." / "warning: ..." lines. */
void spmErrorPrintAll(FILE *fp, const char *progname);
/* Drop every queued entry. */
void spmErrorReset(void);
/* Queue length, to undo reports later with spmErrorTruncate() */
size_t spmErrorMark(void);
void spmErrorTruncate(size_t mark);

/* Debug logging to stderr, enabled by spmLogSetDebug() or SPM_DEBUG=1. */
void spmLogSetDebug(bool enable);
bool spmLogDebugEnabled(void);
void spmLogDebugMessage(const char *funcname, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
#define SPM_DEBUG(...)                                 \
    do {                                               \
        if (spmLogDebugEnabled())                      \
            spmLogDebugMessage(__func__, __VA_ARGS__); \
    } while (0)
