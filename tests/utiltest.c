/*
 * utiltest.c: bitmaps, units, enums, the error queue, atomic writes and UUIDs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "spmbitmap.h"
#include "spmenum.h"
#include "spmerror.h"
#include "spmfile.h"
#include "spmunits.h"
#include "spmuuid.h"

#include <string.h>
#include <unistd.h>

#define SPM_FROM_THIS_FILE SPM_FROM_NONE

typedef struct {
    const char *in;
    const char *out; /* NULL: must fail */
} spmBitmapCase;

static int
testBitmapParse(const void *opaque)
{
    const spmBitmapCase *tc = opaque;
    g_autofree char *errmsg = NULL;
    g_autoptr(spmBitmap) map = spmBitmapParse(tc->in, 1023, &errmsg);
    g_autofree char *str = NULL;

    if (!tc->out) {
        if (map || !errmsg) {
            printf("# '%s' parsed but must not\n", tc->in);
            return -1;
        }
        return 0;
    }
    if (!map) {
        printf("# '%s': %s\n", tc->in, errmsg);
        return -1;
    }
    str = spmBitmapFormat(map);
    if (strcmp(str, tc->out) != 0) {
        printf("# '%s' formatted as '%s', expected '%s'\n", tc->in, str, tc->out);
        return -1;
    }
    return 0;
}

static int
testBitmapOps(const void *opaque)
{
    g_autoptr(spmBitmap) a = spmBitmapNew(8);
    g_autoptr(spmBitmap) b = spmBitmapNew(0);
    g_autoptr(GPtrArray) ranges = NULL;

    spmBitmapSetBit(a, 3);
    spmBitmapSetBit(a, 200); /* grows */
    spmBitmapSetBit(b, 200);
    if (spmBitmapCountBits(a) != 2 || spmBitmapLastSetBit(a) != 200 ||
        spmBitmapNextSetBit(a, 3) != 200 || spmBitmapNextSetBit(a, 200) != -1 ||
        spmBitmapFirstCommonBit(a, b) != 200 || !spmBitmapOverlaps(a, b) || spmBitmapEqual(a, b))
        return -1;
    spmBitmapClearBit(a, 3);
    if (!spmBitmapEqual(a, b) || spmBitmapIsBitSet(a, 3) || !spmBitmapIsBitSet(a, 200))
        return -1;
    spmBitmapSetBit(a, 0);
    spmBitmapSetBit(a, 1);
    spmBitmapSetBit(a, 5);
    ranges = spmBitmapFormatRanges(a);
    if (ranges->len != 3 || strcmp(g_ptr_array_index(ranges, 0), "0-1") != 0 ||
        strcmp(g_ptr_array_index(ranges, 1), "5") != 0 ||
        strcmp(g_ptr_array_index(ranges, 2), "200") != 0)
        return -1;
    return 0;
}

typedef struct {
    unsigned long long value;
    const char *unit;
    unsigned long long bytes; /* 0: must fail */
} spmScaleCase;

static int
testScale(const void *opaque)
{
    const spmScaleCase *tc = opaque;
    unsigned long long v = tc->value;
    g_autofree char *errmsg = NULL;
    bool ok = spmScaleInteger(&v, tc->unit, 1024, 1ULL << 62, &errmsg);

    if (tc->bytes == 0)
        return ok ? -1 : 0;
    if (!ok || v != tc->bytes) {
        printf("# %llu %s -> %llu (%s)\n", tc->value, tc->unit ? tc->unit : "(null)", v,
               errmsg ? errmsg : "");
        return -1;
    }
    return 0;
}

static int
testStrToULL(const void *opaque)
{
    unsigned long long v;
    unsigned int u;

    if (!spmParseNumber("42", SPM_NUMBER_BLANKS, 0, &v) || v != 42 ||
        !spmParseNumber(" 7 ", SPM_NUMBER_BLANKS, 0, &v) || v != 7)
        return -1;
    if (spmParseNumber("-1", SPM_NUMBER_BLANKS, 0, &v) ||
        spmParseNumber("0x10", SPM_NUMBER_BLANKS, 0, &v) ||
        spmParseNumber("", SPM_NUMBER_BLANKS, 0, &v) ||
        spmParseNumber("12abc", SPM_NUMBER_BLANKS, 0, &v) ||
        spmParseNumber("99999999999999999999", SPM_NUMBER_BLANKS, 0, &v) ||
        spmParseNumber(NULL, SPM_NUMBER_BLANKS, 0, &v))
        return -1;
    if (spmParseUInt("4294967296", SPM_NUMBER_BLANKS, &u) ||
        !spmParseUInt("4294967295", SPM_NUMBER_BLANKS, &u))
        return -1;
    return 0;
}

static int
testFormatSize(const void *opaque)
{
    g_autofree char *a = spmFormatSizeKiB(16ULL * 1024 * 1024);
    g_autofree char *b = spmFormatSizeKiB(1536 * 1024);
    g_autofree char *c = spmFormatSizeKiB(1000);

    return g_strcmp0(a, "16 GiB") || g_strcmp0(b, "1536 MiB") || g_strcmp0(c, "1000 KiB") ? -1 : 0;
}

typedef enum {
    SPM_TEST_FRUIT_APPLE = 0,
    SPM_TEST_FRUIT_PEAR,

    SPM_TEST_FRUIT_LAST
} spmTestFruit;
SPM_ENUM_DECL(spmTestFruit);
SPM_ENUM_IMPL(spmTestFruit, SPM_TEST_FRUIT_LAST, "apple", "pear");

static int
testEnum(const void *opaque)
{
    if (spmTestFruitTypeFromString("pear") != SPM_TEST_FRUIT_PEAR ||
        spmTestFruitTypeFromString("Pear") != -1 || spmTestFruitTypeFromString(NULL) != -1 ||
        g_strcmp0(spmTestFruitTypeToString(SPM_TEST_FRUIT_APPLE), "apple") != 0 ||
        spmTestFruitTypeToString(SPM_TEST_FRUIT_LAST) != NULL ||
        spmTestFruitTypeToString(-1) != NULL)
        return -1;
    return 0;
}

static int
testErrorQueue(const void *opaque)
{
    g_autofree char *text = NULL;
    size_t mark;

    spmReportError(SPM_ERR_XML_ERROR, _("first '%1$s'"), "a");
    spmReportWarning(SPM_ERR_CONFIG_UNSUPPORTED, "%s", _("advice"));
    mark = spmErrorMark();
    spmReportError(SPM_ERR_CONFIG_UNSUPPORTED, _("second %1$u"), 2u);
    if (spmErrorCount() != 2 || spmWarningCount() != 1 ||
        !spmErrorHasCode(SPM_ERR_CONFIG_UNSUPPORTED))
        return -1;
    text = spmErrorFormat(spmGetLastError());
    if (strcmp(text, "unsupported configuration: second 2") != 0)
        return -1;
    spmErrorTruncate(mark);
    if (spmErrorCount() != 1 || spmErrorHasCode(SPM_ERR_CONFIG_UNSUPPORTED))
        return -1;
    g_free(text);
    text = spmTestFormatErrors();
    if (strcmp(text, "error: XML error: first 'a'\nwarning: advice\n") != 0)
        return -1;
    spmErrorReset();
    return spmErrorTotal() == 0 ? 0 : -1;
}

static int
testAtomicWrite(const void *opaque)
{
    g_autofree char *dir = g_dir_make_tmp("spmutiltest-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "f", NULL);
    g_autofree char *bad = g_build_filename(dir, "missing", "f", NULL);
    g_autofree char *buf = NULL;
    g_autoptr(GDir) d = NULL;
    size_t len = 0;
    int ret = -1;

    if (spmFileWriteAtomic(path, "one", 3, 0600) < 0 ||
        spmFileWriteAtomic(path, "two!", 4, 0600) < 0 ||
        spmFileReadAll(path, 100, &buf, &len) < 0 || len != 4 || strcmp(buf, "two!") != 0)
        goto cleanup;
    g_clear_pointer(&buf, g_free);
    if (spmFileReadAll(path, 3, &buf, &len) == 0) /* over the limit */
        goto cleanup;
    if (spmFileWriteAtomic(bad, "x", 1, 0600) == 0 || !spmErrorHasCode(SPM_ERR_SYSTEM_ERROR))
        goto cleanup;
    /* no temporary file left behind */
    d = g_dir_open(dir, 0, NULL);
    if (!d || g_strcmp0(g_dir_read_name(d), "f") != 0 || g_dir_read_name(d) != NULL)
        goto cleanup;
    ret = 0;
cleanup:
    unlink(path);
    rmdir(dir);
    return ret;
}

typedef struct {
    const char *in;
    const char *out; /* NULL: not a UUID */
} spmUUIDCase;

static int
testUUID(const void *opaque)
{
    const spmUUIDCase *tc = opaque;
    char out[SPM_UUID_STRING_BUFLEN] = "untouched";
    bool ok = spmUUIDCanonicalize(tc->in, out);

    if (tc->out ? !ok || !SPM_STREQ(out, tc->out) : ok || !SPM_STREQ(out, "untouched")) {
        printf("# '%s' gave %s '%s'\n", tc->in ? tc->in : "(null)", ok ? "true" : "false", out);
        return -1;
    }
    return 0;
}


/* spmParseNumber, every flag: what it takes and what it refuses */
typedef struct {
    const char *str;
    unsigned int flags;
    unsigned long long unit;
    bool ok;
    unsigned long long value;
} spmNumberCase;

static const spmNumberCase numbers[] = {
    {"0", 0, 0, true, 0},
    {"18446744073709551615", 0, 0, true, G_MAXUINT64},
    {"18446744073709551616", 0, 0, false, 0},
    {" 7", 0, 0, false, 0},
    {"\t7 \n", SPM_NUMBER_BLANKS, 0, true, 7},
    {"   ", SPM_NUMBER_BLANKS, 0, false, 0},
    {"+7", 0, 0, false, 0},
    {"7.5", SPM_NUMBER_SIZE, 0, false, 0},
    {"1e3", 0, 0, false, 0},
    {"0x1f", SPM_NUMBER_HEX, 0, true, 31},
    {"0X1F", SPM_NUMBER_HEX, 0, true, 31},
    {"0x", SPM_NUMBER_HEX, 0, false, 0},
    {"0x0x1", SPM_NUMBER_HEX, 0, false, 0},
    {"0xffffffffffffffff", SPM_NUMBER_HEX, 0, true, G_MAXUINT64},
    {"0x10000000000000000", SPM_NUMBER_HEX, 0, false, 0},
    {"1f", SPM_NUMBER_HEX, 0, false, 0},
    {"0x10", 0, 0, false, 0},
    {"2G", SPM_NUMBER_SIZE, 0, true, 2ULL << 30},
    {"3584m", SPM_NUMBER_SIZE, 0, true, 3584ULL << 20},
    {"1b", SPM_NUMBER_SIZE, 0, true, 1},
    {"1E", SPM_NUMBER_SIZE, 0, true, 1ULL << 60},
    {"16E", SPM_NUMBER_SIZE, 0, false, 0},
    {"2048", SPM_NUMBER_SIZE, 1024 * 1024, true, 2048ULL << 20},
    {"2048", SPM_NUMBER_SIZE, 0, true, 2048},
    {"2048", 0, 1024, true, 2048},
    {"G", SPM_NUMBER_SIZE, 0, false, 0},
    {"2GB", SPM_NUMBER_SIZE, 0, false, 0},
    {"2K", 0, 0, false, 0},
    {" 2k ", SPM_NUMBER_SIZE | SPM_NUMBER_BLANKS, 0, true, 2048},
    {"0x1b", SPM_NUMBER_SIZE | SPM_NUMBER_HEX, 0, true, 27},
    {"0x10", SPM_NUMBER_SIZE | SPM_NUMBER_HEX, 1024, true, 16 * 1024},
    {"16k", SPM_NUMBER_SIZE | SPM_NUMBER_HEX, 0, true, 16 * 1024},
};

static int
testParseNumber(const void *opaque)
{
    const spmNumberCase *tc = opaque;
    unsigned long long v = 12345;
    bool ok = spmParseNumber(tc->str, tc->flags, tc->unit, &v);

    if (ok != tc->ok || (ok && v != tc->value) || (!ok && v != 12345)) {
        printf("# '%s' (flags %u): %s %llu\n", tc->str, tc->flags, ok ? "took" : "refused", v);
        return -1;
    }
    return 0;
}


static int
mymain(void)
{
    static const spmBitmapCase bitmaps[] = {
        {"0", "0"},          {"0-3", "0-3"},
        {"0-3,^2", "0-1,3"}, {"8,0-1", "0-1,8"},
        {" 1 , 3 ", "1,3"},  {"0-1023", "0-1023"},
        {"", NULL},          {"^1", NULL},
        {"1-", NULL},        {"3-1", NULL},
        {"0-1,", NULL},      {"a", NULL},
        {"1024", NULL},      {"0,^0", NULL},
        {"^0-2", NULL},      {"99999999999999999999", NULL},
    };
    static const spmScaleCase scales[] = {
        {1, NULL, 1024},
        {1, "", 1024},
        {1, "b", 1},
        {3, "bytes", 3},
        {1, "KiB", 1024},
        {1, "k", 1024},
        {1, "KB", 1000},
        {2, "MiB", 2 * SPM_MIB},
        {1, "m", SPM_MIB},
        {1, "MB", 1000000},
        {64, "GiB", 64 * SPM_GIB},
        {1, "G", SPM_GIB},
        {1, "gib", SPM_GIB},
        {1, "TiB", SPM_TIB},
        {1, "EiB", 1ULL << 60},
        {4, "EiB", 1ULL << 62},
        {5, "EiB", 0},
        {1, "GB2", 0},
        {1, "Gi", 0},
        {1, "x", 0},
        {1ULL << 53, "TiB", 0},
    };
    static const spmUUIDCase uuids[] = {
        {"c7a5fdbd-edaf-9455-926a-d65c16db1809", "c7a5fdbd-edaf-9455-926a-d65c16db1809"},
        {"C7A5FDBDEDAF9455926AD65C16DB1809", "c7a5fdbd-edaf-9455-926a-d65c16db1809"},
        {"  c7a5fdbd-edaf-9455-926a-d65c16db1809\n", "c7a5fdbd-edaf-9455-926a-d65c16db1809"},
        {"c7-a5-fd-bd-ed-af-94-55-92-6a-d6-5c-16-db-18-09", "c7a5fdbd-edaf-9455-926a-d65c16db1809"},
        {"c7a5fdbd-edaf-9455-926a-d65c16db180", NULL},
        {"c7a5fdbd-edaf-9455-926a-d65c16db18090", NULL},
        {"c7a5fdbd-edaf-9455-926a-d65c16db1809-", NULL},
        {"-c7a5fdbd-edaf-9455-926a-d65c16db1809", NULL},
        {"c7a5fdbd-edaf-9455-926a-d65c16db18g9", NULL},
        {"c7a5fdb-dedaf-9455-926a-d65c16db1809", NULL},
        {"c7a5fdbd edaf 9455 926a d65c16db1809", NULL},
        {"../../etc/passwd", NULL},
        {"", NULL},
        {NULL, NULL},
    };
    int ret = 0;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(uuids); i++) {
        g_autofree char *in = g_strescape(uuids[i].in ? uuids[i].in : "(null)", NULL);
        g_autofree char *title = g_strdup_printf("uuid '%s'", in);

        if (spmTestRun(title, testUUID, &uuids[i]) < 0)
            ret = -1;
    }
    for (i = 0; i < G_N_ELEMENTS(bitmaps); i++) {
        g_autofree char *title = g_strdup_printf("bitmap parse '%s'", bitmaps[i].in);
        if (spmTestRun(title, testBitmapParse, &bitmaps[i]) < 0)
            ret = -1;
    }
    if (spmTestRun("bitmap operations", testBitmapOps, NULL) < 0)
        ret = -1;
    for (i = 0; i < G_N_ELEMENTS(scales); i++) {
        g_autofree char *title = g_strdup_printf("scale %llu %s", scales[i].value,
                                                 scales[i].unit ? scales[i].unit : "(default)");
        if (spmTestRun(title, testScale, &scales[i]) < 0)
            ret = -1;
    }
    for (i = 0; i < G_N_ELEMENTS(numbers); i++) {
        g_autofree char *str = g_strescape(numbers[i].str, NULL);
        g_autofree char *title = g_strdup_printf("number '%s' flags %u", str, numbers[i].flags);

        if (spmTestRun(title, testParseNumber, &numbers[i]) < 0)
            ret = -1;
    }
    if (spmTestRun("strict integers", testStrToULL, NULL) < 0)
        ret = -1;
    if (spmTestRun("size formatting", testFormatSize, NULL) < 0)
        ret = -1;
    if (spmTestRun("enum tables", testEnum, NULL) < 0)
        ret = -1;
    if (spmTestRun("error queue", testErrorQueue, NULL) < 0)
        ret = -1;
    if (spmTestRun("atomic write", testAtomicWrite, NULL) < 0)
        ret = -1;
    return ret;
}

SPM_TEST_MAIN(mymain)
