package io.jsyd.runtime.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The facts about the host that planning needs. An interface so plans can be
 * unit-tested against a made-up host.
 */
public interface HostView {
    /** True when the host path exists and is (or links to) a directory. */
    boolean isDirectory(String hostPath);

    boolean exists(String hostPath);

    /** The mount table of this process (/proc/self/mountinfo). */
    List<MountInfo> mounts();

    /** /proc/sys/kernel/cap_last_cap. */
    int lastCapability();

    /** One line of /proc/self/mountinfo. */
    record MountInfo(String mountPoint, String fsType, String source, String optionalFields,
                     String superOptions) {
        public boolean shared() {
            return optionalFields.contains("shared:");
        }
    }

    static HostView system() {
        return new HostView() {
            @Override
            public boolean isDirectory(String hostPath) {
                return Files.isDirectory(Path.of(hostPath));
            }

            @Override
            public boolean exists(String hostPath) {
                return Files.exists(Path.of(hostPath));
            }

            @Override
            public List<MountInfo> mounts() {
                try {
                    return parseMountInfo(Files.readAllLines(Path.of("/proc/self/mountinfo")));
                } catch (IOException e) {
                    throw new UncheckedIOException("reading /proc/self/mountinfo", e);
                }
            }

            @Override
            public int lastCapability() {
                try {
                    // one large read: an integer sysctl answers a read at a non-zero offset with EOF,
                    // and Files.readString probes with a one-byte read first
                    return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/kernel/cap_last_cap")).getFirst().strip());
                } catch (IOException e) {
                    throw new UncheckedIOException("reading /proc/sys/kernel/cap_last_cap", e);
                }
            }
        };
    }

    static List<MountInfo> parseMountInfo(List<String> lines) {
        List<MountInfo> result = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            int sep = List.of(f).indexOf("-");
            if (f.length < 10 || sep < 6) {
                continue;
            }
            StringBuilder optional = new StringBuilder();
            for (int i = 6; i < sep; i++) {
                optional.append(i > 6 ? " " : "").append(f[i]);
            }
            result.add(new MountInfo(unescape(f[4]), f[sep + 1], unescape(f[sep + 2]), optional.toString(),
                    sep + 3 < f.length ? f[sep + 3] : ""));
        }
        return result;
    }

    /** mountinfo writes space, tab, newline and backslash as \ooo octal. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                try {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException e) {
                    // not an escape: keep the backslash
                }
            }
            b.append(c);
        }
        return b.toString();
    }
}
