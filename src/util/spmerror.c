/*
 * spmerror.c: libvirt-style error reporting
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spmerror.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

SPM_ENUM_IMPL(spmErrorDomain, SPM_FROM_LAST, "none", "util", "xml", "domain", "schema", "qemu",
              "qmp", "caps", "layout", "libvirt", "shim", "cli");

static GPrivate spmErrorQueueKey = G_PRIVATE_INIT((GDestroyNotify)g_ptr_array_unref);
static int spmLogDebugState = -1;

static void
spmErrorFree(spmError *err)
{
    if (!err)
        return;
    g_free(err->message);
    g_free(err);
}

static GPtrArray *
spmErrorQueue(void)
{
    GPtrArray *q = g_private_get(&spmErrorQueueKey);

    if (!q) {
        q = g_ptr_array_new_with_free_func((GDestroyNotify)spmErrorFree);
        g_private_set(&spmErrorQueueKey, q);
    }
    return q;
}

/* The printed prefix of a code, e.g. "XML error: ", or "" */
static const char *
spmErrorCodePrefix(spmErrorCode code)
{
    switch (code) {
    case SPM_ERR_INTERNAL_ERROR:
        return _("internal error: ");
    case SPM_ERR_INVALID_ARG:
        return _("invalid argument: ");
    case SPM_ERR_XML_ERROR:
        return _("XML error: ");
    case SPM_ERR_XML_INVALID_SCHEMA:
        return _("XML document failed to validate against schema: ");
    case SPM_ERR_CONFIG_UNSUPPORTED:
        return _("unsupported configuration: ");
    case SPM_ERR_OPERATION_FAILED:
        return _("operation failed: ");
    case SPM_ERR_OPERATION_TIMEOUT:
        return _("Timed out during operation: ");
    case SPM_ERR_OPERATION_INVALID:
        return _("Requested operation is not valid: ");
    case SPM_ERR_QMP_ERROR:
        return _("QEMU monitor error: ");
    case SPM_ERR_OK:
    case SPM_ERR_SYSTEM_ERROR:
    case SPM_ERR_XML_DETAIL:
    case SPM_ERR_LIBVIRT_ERROR:
    case SPM_ERR_LAST:
        break;
    }
    return "";
}

static void
spmErrorQueueAdd(spmErrorDomain domain, spmErrorCode code, spmErrorLevel level, char *message)
{
    spmError *err = g_new0(spmError, 1);

    err->domain = domain;
    err->code = code;
    err->level = level;
    err->message = message;
    g_ptr_array_add(spmErrorQueue(), err);

    if (spmLogDebugEnabled())
        fprintf(stderr, "debug: %s report %s: %s%s\n", spmErrorDomainTypeToString(domain),
                level == SPM_ERR_LEVEL_WARNING ? "warning" : "error", spmErrorCodePrefix(code),
                message);
}

void
spmErrorReport(spmErrorDomain domain, spmErrorCode code, spmErrorLevel level, const char *filename,
               const char *funcname, size_t linenr, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    SPM_DEBUG("%s:%zu (%s)", filename, linenr, funcname);
    spmErrorQueueAdd(domain, code, level, msg);
}

void
spmErrorReportSystem(spmErrorDomain domain, int theerrno, const char *filename,
                     const char *funcname, size_t linenr, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    SPM_DEBUG("%s:%zu (%s)", filename, linenr, funcname);
    spmErrorQueueAdd(domain, SPM_ERR_SYSTEM_ERROR, SPM_ERR_LEVEL_ERROR,
                     g_strdup_printf("%s: %s", msg, g_strerror(theerrno)));
}

static size_t
spmErrorCountLevel(spmErrorLevel level)
{
    GPtrArray *q = spmErrorQueue();
    size_t n = 0;
    size_t i;

    for (i = 0; i < q->len; i++) {
        const spmError *err = g_ptr_array_index(q, i);
        if (err->level == level)
            n++;
    }
    return n;
}

size_t
spmErrorCount(void)
{
    return spmErrorCountLevel(SPM_ERR_LEVEL_ERROR);
}

size_t
spmWarningCount(void)
{
    return spmErrorCountLevel(SPM_ERR_LEVEL_WARNING);
}

size_t
spmErrorTotal(void)
{
    return spmErrorQueue()->len;
}

const spmError *
spmErrorGet(size_t idx)
{
    GPtrArray *q = spmErrorQueue();

    if (idx >= q->len)
        return NULL;
    return g_ptr_array_index(q, idx);
}

const spmError *
spmGetLastError(void)
{
    GPtrArray *q = spmErrorQueue();
    size_t i;

    for (i = q->len; i > 0; i--) {
        const spmError *err = g_ptr_array_index(q, i - 1);
        if (err->level == SPM_ERR_LEVEL_ERROR)
            return err;
    }
    return NULL;
}

bool
spmErrorHasCode(spmErrorCode code)
{
    GPtrArray *q = spmErrorQueue();
    size_t i;

    for (i = 0; i < q->len; i++) {
        const spmError *err = g_ptr_array_index(q, i);
        if (err->level == SPM_ERR_LEVEL_ERROR && err->code == code)
            return true;
    }
    return false;
}

char *
spmErrorFormat(const spmError *err)
{
    /* A warning is advice, not a failure class: no code prefix. */
    if (err->level == SPM_ERR_LEVEL_WARNING)
        return g_strdup(err->message);
    return g_strdup_printf("%s%s", spmErrorCodePrefix(err->code), err->message);
}

void
spmErrorPrintAll(FILE *fp, const char *progname)
{
    GPtrArray *q = spmErrorQueue();
    size_t i;

    for (i = 0; i < q->len; i++) {
        const spmError *err = g_ptr_array_index(q, i);
        g_autofree char *text = spmErrorFormat(err);

        if (progname)
            fprintf(fp, "%s: ", progname);
        fprintf(fp, "%s: %s\n", err->level == SPM_ERR_LEVEL_WARNING ? _("warning") : _("error"),
                text);
    }
}

void
spmErrorReset(void)
{
    g_ptr_array_set_size(spmErrorQueue(), 0);
}

size_t
spmErrorMark(void)
{
    return spmErrorQueue()->len;
}

void
spmErrorTruncate(size_t mark)
{
    GPtrArray *q = spmErrorQueue();

    if (mark < q->len)
        g_ptr_array_set_size(q, mark);
}

void
spmLogSetDebug(bool enable)
{
    spmLogDebugState = enable ? 1 : 0;
}

bool
spmLogDebugEnabled(void)
{
    if (spmLogDebugState < 0) {
        const char *env = getenv("SPM_DEBUG");
        spmLogDebugState = (env && *env && strcmp(env, "0") != 0) ? 1 : 0;
    }
    return spmLogDebugState == 1;
}

void
spmLogDebugMessage(const char *funcname, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "debug: %s: %s\n", funcname, msg);
}
