/*
 * fuzz_domain_xml.c: a domain XML through everything virt-spm does with one
 *
 * Parse, the rules that need no QEMU, then against two recorded QEMUs (the
 * sp-mem form of 11.1.3 and the memmap-type form, loaded once): the
 * capability rules, the layout and its three formats, and the define
 * transform with its way back.  The host is fixed, so that nothing is read
 * from /proc.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "fuzz.h"

#include "domain_conf.h"
#include "domain_metadata.h"
#include "qemu_define.h"
#include "qemu_layout.h"
#include "qemu_validate.h"
#include "spmerror.h"
#include "spmxml.h"

#include <stdio.h>
#include <string.h>

#define SPM_FUZZ_EMULATOR "/usr/bin/qemu-system-x86_64"
#define SPM_FUZZ_LINK "/var/lib/virt-spm/emulators/fuzz"

static const char *const spmFuzzCapsFiles[] = {
    "caps_11.1.3_x86_64.replies",
    "caps_10.2.2-memmap-type_x86_64.replies",
};

static spmQEMUCaps **
spmFuzzDomainCaps(void)
{
    static spmQEMUCaps *caps[G_N_ELEMENTS(spmFuzzCapsFiles)];
    static bool loaded;
    size_t i;

    if (loaded)
        return caps;
    for (i = 0; i < G_N_ELEMENTS(spmFuzzCapsFiles); i++) {
        const char *dir = g_getenv("SPM_FUZZ_CAPS_DIR");
        g_autofree char *path = g_build_filename(
            dir ? dir : SPM_SOURCE_ROOT "/tests/qemucapabilitiesdata", spmFuzzCapsFiles[i], NULL);

        if (!(caps[i] = spmQEMUCapsNewFromReplies(path, SPM_FUZZ_EMULATOR))) {
            spmErrorPrintAll(stderr, "fuzz_domain_xml");
            spmFuzzFail("cannot load the recorded capabilities", path);
        }
    }
    spmErrorReset();
    loaded = true;
    return caps;
}

static void
spmFuzzDomainLayout(const spmDomainDef *def, const spmQEMUCaps *caps, const spmQEMULayoutHost *host)
{
    g_autoptr(spmQEMULayoutInput) input = NULL;
    g_autoptr(spmQEMULayout) layout = NULL;
    g_autoptr(spmLaunchData) launch = NULL;
    g_autofree char *libvirtMemory = NULL;
    g_autofree char *table = NULL;
    g_autofree char *json = NULL;
    g_autofree char *svg = NULL;

    if (!(input = spmQEMULayoutInputFromDomain(def, caps, host)))
        return;
    libvirtMemory = spmQEMULayoutFormatLibvirtMemoryArg(input);
    if (!(layout = spmQEMULayoutCompute(input)))
        return;
    table = spmQEMULayoutFormatTable(layout, input);
    json = spmQEMULayoutFormatJSON(layout, input);
    svg = spmQEMULayoutFormatSVG(layout, input);
    if (!table || !json || !svg)
        spmFuzzFail("a computed layout does not format", NULL);
    if (spmQEMULayoutGetLaunchData(layout, input, &launch) == 0 && launch) {
        g_autofree char *str = spmLaunchDataFormat(launch);

        if (!str)
            spmFuzzFail("the layout's launch data does not format", NULL);
    }
}

/* How often libvirt's XML @xml passes SPM_LAUNCH_OPTION to QEMU: the
 * <arg>s of libvirt's <qemu:commandline>, by namespace, not by prefix. */
static size_t
spmFuzzCountLaunchArgs(const char *xml)
{
    g_autoptr(xmlDoc) doc = spmXMLParse(xml, strlen(xml), "libvirt.xml");
    xmlNodePtr root;
    xmlNodePtr cmdline;
    xmlNodePtr arg;
    size_t n = 0;

    if (!doc || !(root = xmlDocGetRootElement(doc)))
        spmFuzzFail("the XML given to libvirt does not parse", xml);
    for (cmdline = root->children; cmdline; cmdline = cmdline->next) {
        if (cmdline->type != XML_ELEMENT_NODE || !cmdline->ns ||
            !xmlStrEqual(cmdline->ns->href, BAD_CAST SPM_QEMU_NS) ||
            !xmlStrEqual(cmdline->name, BAD_CAST "commandline"))
            continue;
        for (arg = cmdline->children; arg; arg = arg->next) {
            g_autofree char *value = NULL;

            if (arg->type != XML_ELEMENT_NODE || !arg->ns ||
                !xmlStrEqual(arg->ns->href, BAD_CAST SPM_QEMU_NS) ||
                !xmlStrEqual(arg->name, BAD_CAST "arg"))
                continue;
            if ((value = spmXMLPropString(arg, "value")) && strcmp(value, SPM_LAUNCH_OPTION) == 0)
                n++;
        }
    }
    return n;
}

/*
 * What the qemu hook reads of a domain XML (virt-spm's metadata, the launch
 * arguments).  For the XML define gives libvirt (@fromDefine; @launch:
 * the launch data of its typed cells, NULL when it has none), the hook must
 * let the domain start: the launch arguments are there whenever the
 * metadata types cells.
 */
static void
spmFuzzHookView(const char *xml, size_t len, bool fromDefine, const spmLaunchData *launch)
{
    g_autoptr(xmlDoc) doc = spmXMLParse(xml, len, "hook.xml");
    g_autoptr(spmDomainMetadata) md = NULL;
    int rc;

    if (!doc)
        return;
    rc = spmDomainMetadataParseDoc(doc, &md);
    if (!fromDefine) {
        spmQEMUDefineHasLaunchData(doc);
        return;
    }
    if (rc < 0)
        spmFuzzFail("the hook cannot read the metadata define wrote", xml);
    if (!spmQEMUDefineHasLaunchData(doc) != !launch)
        spmFuzzFail("the hook does not see the launch data define wrote", xml);
    if (md && md->ncells > 0 && !launch)
        spmFuzzFail("define wrote typed cells in the metadata without launch data", xml);
    if (launch && (!md || md->ncells != launch->nnodes))
        spmFuzzFail("define's metadata and launch data type different cells", xml);
}

static void
spmFuzzDomainDefine(const char *xml, size_t len, const spmQEMUCaps *caps,
                    const spmQEMULayoutHost *host)
{
    g_autoptr(spmDomainDef) def = NULL;
    g_autoptr(spmLaunchData) launch = NULL;
    g_autofree char *libvirtXML = NULL;
    g_autofree char *restored = NULL;

    /* the transform modifies the definition's document: a fresh one */
    if (!(def = spmDomainDefParseString(xml, len, "fuzz.xml")))
        return;
    if (spmQEMUDefinePrepare(def, caps, host, &launch) < 0)
        return;
    if (!(libvirtXML = spmQEMUDefineFormatForLibvirt(def, launch ? SPM_FUZZ_LINK : NULL,
                                                     SPM_FUZZ_EMULATOR, launch)))
        return;
    /* the launch arguments once with typed cells, else not at all */
    if (spmFuzzCountLaunchArgs(libvirtXML) != (launch ? 1 : 0))
        spmFuzzFail("the XML given to libvirt has the launch arguments a wrong number of times",
                    libvirtXML);
    spmFuzzHookView(libvirtXML, strlen(libvirtXML), true, launch);
    if (!(restored = spmQEMUDefineRestoreUserXML(libvirtXML, strlen(libvirtXML)))) {
        spmErrorPrintAll(stderr, "fuzz_domain_xml");
        spmFuzzFail("the XML given to libvirt does not restore", libvirtXML);
    }
}

int
spmFuzzDomainXML(const uint8_t *data, size_t size)
{
    spmQEMUCaps **caps = spmFuzzDomainCaps();
    const char *xml = (const char *)data;
    g_autoptr(spmDomainDef) def = NULL;
    g_autofree char *formatted = NULL;
    g_autofree char *restored = NULL;
    spmQEMULayoutHost host = {
        .vendor = SPM_QEMU_CPU_VENDOR_INTEL,
        .physBits = 46,
        .hugepageSize = 2 * 1024 * 1024,
    };
    size_t i;

    if (size & 1)
        host.vendor = SPM_QEMU_CPU_VENDOR_AMD;

    /* libvirt's XML as virt-spm and the hook read it, whatever it is */
    restored = spmQEMUDefineRestoreUserXML(xml, size);
    spmErrorReset();
    spmFuzzHookView(xml, size, false, NULL);
    spmErrorReset();

    if (!(def = spmDomainDefParseString(xml, size, "fuzz.xml")))
        goto cleanup;
    spmDomainDefCountTypedCells(def);
    spmDomainDefCellsMemoryKiB(def);
    spmDomainDefDevicesMemoryKiB(def);
    spmQEMUValidateRules(def);
    spmErrorReset();

    for (i = 0; i < G_N_ELEMENTS(spmFuzzCapsFiles); i++) {
        spmQEMUValidateDomainDef(def, caps[i]);
        spmErrorReset();
        spmFuzzDomainLayout(def, caps[i], &host);
        spmErrorReset();
        spmFuzzDomainDefine(xml, size, caps[i], &host);
        spmErrorReset();
    }

    formatted = spmDomainDefFormat(def, 0);

cleanup:
    spmErrorReset();
    return 0;
}
