package io.jsyd.oci.validate;

import io.jsyd.oci.spec.model.LinuxIntelRdt;
import java.util.List;

/** linux.intelRdt (config-linux.md "IntelRdt"); whether resctrl is mounted is checked at create. */
final class IntelRdtCheck {
    private IntelRdtCheck() {
    }

    static void intelRdt(Context c, Problems out) {
        LinuxIntelRdt rdt = c.linux() == null ? null : c.linux().getIntelRdt();
        if (rdt == null) {
            return;
        }
        String base = "$.linux.intelRdt";
        String clos = rdt.getClosID();
        // "/" alone means the default group; otherwise it names one directory in resctrl.
        if (clos != null && (clos.equals(".") || clos.equals("..") || (clos.length() > 1 && clos.contains("/")))) {
            out.error(base + ".closID", Json.quote(clos) + " is not a resctrl group name: no /, not . or ..");
        }
        String l3 = rdt.getL3CacheSchema();
        if (l3 != null && !l3.isEmpty()) {
            if (!l3.startsWith("L3:")) {
                out.warning(base + ".l3CacheSchema", Json.quote(l3) + " does not start with L3:, as it should");
            }
            if (l3.indexOf('\n') >= 0) {
                out.warning(base + ".l3CacheSchema", "contains a newline, which it should not");
            }
        }
        String mb = rdt.getMemBwSchema();
        if (mb != null && !mb.isEmpty()) {
            if (!mb.startsWith("MB:")) {
                out.error(base + ".memBwSchema", Json.quote(mb) + " does not start with MB:, as it must");
            }
            if (mb.indexOf('\n') >= 0) {
                out.error(base + ".memBwSchema", "contains a newline, which it must not");
            }
        }
        List<String> schemata = Json.list(rdt.getSchemata());
        for (int i = 0; i < schemata.size(); i++) {
            if (schemata.get(i).indexOf('\n') >= 0) {
                out.error(Json.index(base + ".schemata", i),
                        "contains a newline; each entry is one line of the schemata file");
            }
        }
    }
}
