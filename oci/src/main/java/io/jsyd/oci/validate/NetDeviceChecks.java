package io.jsyd.oci.validate;

import io.jsyd.oci.spec.model.LinuxNetDevice;
import io.jsyd.oci.spec.model.LinuxNetDevices;
import io.jsyd.oci.spec.model.NamespaceType;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** linux.netDevices (config-linux.md "Network Devices"), with runc's rules. */
final class NetDeviceChecks {
    /** IFNAMSIZ counts the terminating NUL: the kernel's dev_valid_name allows 15 bytes. */
    static final int MAX_NAME = 15;

    private NetDeviceChecks() {
    }

    static void netDevices(Context c, Problems out) {
        LinuxNetDevices devices = c.linux() == null ? null : c.linux().getNetDevices();
        if (devices == null || devices.getAdditionalProperties().isEmpty()) {
            return;
        }
        if (!c.hasNamespace(NamespaceType.NETWORK)) {
            out.error("$.linux.netDevices",
                    "is set but linux.namespaces has no network namespace to move the devices into");
        }
        for (Map.Entry<String, LinuxNetDevice> e : devices.getAdditionalProperties().entrySet()) {
            String at = Json.key("$.linux.netDevices", e.getKey());
            name(at, e.getKey(), out);
            LinuxNetDevice device = e.getValue();
            if (device != null && device.getName() != null && !device.getName().isEmpty()) {
                name(at + ".name", device.getName(), out);
            }
        }
    }

    private static void name(String at, String name, Problems out) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        boolean bad = bytes == 0 || bytes > MAX_NAME || name.equals(".") || name.equals("..")
                || name.chars().anyMatch(ch -> ch == '/' || ch == ':' || Character.isWhitespace(ch));
        if (bad) {
            out.error(at, Json.quote(name) + " is not an interface name: 1 to " + MAX_NAME
                    + " bytes, not . or .., without /, : or blanks");
        }
    }
}
