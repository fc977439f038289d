package io.jsyd.oci.validate;

import io.jsyd.oci.spec.model.NamespaceType;
import java.nio.charset.StandardCharsets;

/**
 * hostname and domainname. Like runc, they need a UTS namespace in
 * linux.namespaces (new or joined): without one they would rename the host.
 */
final class UtsChecks {
    /** __NEW_UTS_LEN: sethostname and setdomainname refuse longer names. */
    static final int MAX_NAME = 64;

    private UtsChecks() {
    }

    static void hostname(Context c, Problems out) {
        name(c, "$.hostname", c.spec().getHostname(), out);
    }

    static void domainname(Context c, Problems out) {
        name(c, "$.domainname", c.spec().getDomainname(), out);
    }

    private static void name(Context c, String at, String name, Problems out) {
        // runc treats an empty name as unset.
        if (name == null || name.isEmpty()) {
            return;
        }
        if (!c.hasNamespace(NamespaceType.UTS)) {
            out.error(at, "is set but linux.namespaces has no uts namespace; it would rename the host");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME) {
            out.error(at, "is " + bytes + " bytes long; the kernel allows at most " + MAX_NAME);
        }
    }
}
