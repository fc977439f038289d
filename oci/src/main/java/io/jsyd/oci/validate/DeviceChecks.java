package io.jsyd.oci.validate;

import io.jsyd.oci.spec.model.LinuxDevice;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** linux.devices (config-linux.md "Devices"). */
final class DeviceChecks {
    private DeviceChecks() {
    }

    static void devices(Context c, Problems out) {
        List<LinuxDevice> devices = c.linux() == null ? List.of() : Json.list(c.linux().getDevices());
        Map<String, Integer> numbers = new HashMap<>();
        for (int i = 0; i < devices.size(); i++) {
            LinuxDevice d = devices.get(i);
            String at = Json.index("$.linux.devices", i);
            if (d.getPath() != null && !d.getPath().startsWith("/")) {
                out.error(at + ".path", Json.quote(d.getPath())
                        + " is not an absolute path; devices are created at absolute paths in the container");
            }
            if (d.getType() == null || d.getType().equals("p")) {
                continue; // a fifo has no device numbers
            }
            if (d.getMajor() == null) {
                out.error(at + ".major", "is missing; a " + Json.quote(d.getType())
                        + " device needs major and minor numbers");
            }
            if (d.getMinor() == null) {
                out.error(at + ".minor", "is missing; a " + Json.quote(d.getType())
                        + " device needs major and minor numbers");
            }
            if (d.getMajor() != null && d.getMinor() != null) {
                // c and u are both character devices.
                String kind = d.getType().equals("b") ? "b" : "c";
                Integer first = numbers.putIfAbsent(kind + d.getMajor() + ":" + d.getMinor(), i);
                if (first != null) {
                    out.warning(at, "is the same device (" + kind + " " + d.getMajor() + ":" + d.getMinor() + ") as "
                            + Json.index("$.linux.devices", first) + "; the spec advises against listing it twice");
                }
            }
        }
    }
}
