/*
 * qemudefinetest.c: the XML virt-spm defines in stock libvirt, for each
 * recorded QEMU, and the way back to the user's XML
 *
 * For every qemudefinedata/NAME.xml and capability set CAPS:
 *   NAME.CAPS.libvirt.xml   what libvirt gets (or NAME.CAPS.err: the refusal)
 * and the restored XML must have the same canonical form as NAME.xml.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "testutils.h"
#include "domain_conf.h"
#include "qemu_validate.h"
#include "qemu_define.h"
#include "spmerror.h"

#include <string.h>

#define TEST_LINK "/var/lib/virt-spm/emulators/0123456789abcdef/qemu-system-x86_64"

typedef struct {
    const char *name;
    const char *caps;
} spmDefineCase;

static int
testDefine(const void *opaque)
{
    const spmDefineCase *tc = opaque;
    g_autofree char *in = g_strdup_printf("%s/qemudefinedata/%s.xml", spmTestSrcdir(), tc->name);
    g_autofree char *replies = g_strdup_printf("%s/qemucapabilitiesdata/caps_%s_x86_64.replies",
                                               spmTestSrcdir(), tc->caps);
    g_autofree char *outXML =
        g_strdup_printf("%s/qemudefinedata/%s.%s.libvirt.xml", spmTestSrcdir(), tc->name, tc->caps);
    g_autofree char *outErr =
        g_strdup_printf("%s/qemudefinedata/%s.%s.err", spmTestSrcdir(), tc->name, tc->caps);
    g_autofree char *input = spmTestLoadFile(in);
    g_autoptr(spmDomainDef) def = spmDomainDefParseFile(in);
    g_autoptr(spmQEMUCaps) caps = spmQEMUCapsNewFromReplies(replies, "/usr/bin/qemu-system-x86_64");
    g_autoptr(spmLaunchData) launch = NULL;
    g_autofree char *libvirtXML = NULL;
    g_autofree char *restored = NULL;
    g_autofree char *canonIn = NULL;
    g_autofree char *canonBack = NULL;
    /* a fixed host, so that the result does not depend on this machine's CPU */
    spmQEMULayoutHost host = {
        .vendor = SPM_QEMU_CPU_VENDOR_INTEL,
        .physBits = 46,
        .hugepageSize = 2 * 1024 * 1024,
    };

    if (!def || !caps || spmQEMUValidateRules(def) > 0)
        return -1;
    spmErrorReset(); /* warnings */

    if (spmQEMUDefinePrepare(def, caps, &host, &launch) < 0) {
        g_autofree char *errs = spmTestFormatErrors();

        /* a refusal must be expected: its .err file exists (or is being made) */
        if (!spmTestRegenerate() && !g_file_test(outErr, G_FILE_TEST_EXISTS)) {
            printf("# unexpected refusal:\n%s", errs);
            return -1;
        }
        return spmTestCompareToFile(errs, outErr);
    }
    if (g_file_test(outErr, G_FILE_TEST_EXISTS) && !spmTestRegenerate()) {
        printf("# expected a refusal (%s)\n", outErr);
        return -1;
    }

    if (!(libvirtXML = spmQEMUDefineFormatForLibvirt(def, launch ? TEST_LINK : NULL,
                                                     "/usr/bin/qemu-system-x86_64", launch)))
        return -1;
    if (spmTestCompareToFile(libvirtXML, outXML) < 0)
        return -1;

    /* what libvirt holds must contain no memmap (stock libvirt drops it) */
    if (strstr(libvirtXML, "memmap=\"") && !strstr(libvirtXML, "<spm:cell")) {
        printf("# memmap left in libvirt's XML\n");
        return -1;
    }

    /* and the way back gives the user's XML */
    if (!(restored = spmQEMUDefineRestoreUserXML(libvirtXML, strlen(libvirtXML))))
        return -1;
    canonIn = spmTestCanonicalXML(input);
    canonBack = spmTestCanonicalXML(restored);
    if (!canonIn || !canonBack || strcmp(canonIn, canonBack) != 0) {
        printf("# restoring did not give the user's XML back:\n%s", restored);
        return -1;
    }
    return 0;
}

static int
testRestoreForeign(const void *opaque)
{
    /* a domain virt-spm did not define comes back unchanged */
    g_autofree char *in =
        g_strdup_printf("%s/domainconfdata/normal-explicit.out.xml", spmTestSrcdir());
    g_autofree char *input = spmTestLoadFile(in);
    g_autofree char *back = spmQEMUDefineRestoreUserXML(input, strlen(input));
    g_autofree char *a = spmTestCanonicalXML(input);
    g_autofree char *b = back ? spmTestCanonicalXML(back) : NULL;

    return a && b && strcmp(a, b) == 0 ? 0 : -1;
}

static int
testRestoreStale(const void *opaque)
{
    /* metadata naming a cell the domain lost (edited with virsh) is an error */
    const char *xml = "<domain type='qemu'><name>s</name><metadata>"
                      "<spm:spm xmlns:spm='" SPM_METADATA_NS "'><spm:cell id='3' memmap='spm'/>"
                      "</spm:spm></metadata><memory>1048576</memory><cpu><numa>"
                      "<cell id='0' cpus='0' memory='1048576'/></numa></cpu></domain>";
    g_autofree char *back = spmQEMUDefineRestoreUserXML(xml, strlen(xml));

    return back == NULL && spmErrorHasCode(SPM_ERR_XML_ERROR) ? 0 : -1;
}

static int
mymain(void)
{
    static const char *caps[] = {"11.1.3", "10.2.2-memmap-type", "7.2.22"};
    g_autoptr(GPtrArray) files = spmTestListDir("qemudefinedata", ".xml");
    int ret = 0;
    size_t i;
    size_t c;

    for (i = 0; i < files->len; i++) {
        const char *file = g_ptr_array_index(files, i);
        g_autofree char *name = NULL;

        if (strchr(file, '.') != strrchr(file, '.'))
            continue; /* outputs: NAME.CAPS.libvirt.xml */
        name = g_strndup(file, strlen(file) - strlen(".xml"));
        for (c = 0; c < G_N_ELEMENTS(caps); c++) {
            spmDefineCase tc = {name, caps[c]};
            g_autofree char *title = g_strdup_printf("define %s with QEMU %s", name, caps[c]);

            if (spmTestRun(title, testDefine, &tc) < 0)
                ret = -1;
        }
    }
    if (spmTestRun("restore a domain virt-spm did not define", testRestoreForeign, NULL) < 0)
        ret = -1;
    if (spmTestRun("restore with stale metadata", testRestoreStale, NULL) < 0)
        ret = -1;
    return ret;
}

SPM_TEST_MAIN(mymain)
