package io.jsyd.oci.validate;

import io.jsyd.oci.spec.model.NamespaceType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * linux.sysctl: /proc/sys is only partly namespaced, so each key must belong to a
 * namespace the container has; anything else would change the host. The rules are
 * runc's (libcontainer/configs/validate).
 */
final class SysctlCheck {
    /** The System V IPC sysctls that live in the IPC namespace (besides fs.mqueue.*). */
    static final Set<String> IPC = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
            "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");

    private SysctlCheck() {
    }

    static void sysctl(Context c, Problems out) {
        Map<String, String> sysctl = c.linux() == null ? null : c.linux().getSysctl();
        if (sysctl == null) {
            return;
        }
        Boolean hostNet = null; // worked out on the first net.* key
        for (String key : sysctl.keySet()) {
            String at = Json.key("$.linux.sysctl", key);
            String name = dotted(key);
            if (!wellFormed(key)) {
                out.error(at, "is not a sysctl name: it has an empty, . or .. component");
                continue;
            }
            if (IPC.contains(name) || name.startsWith("fs.mqueue.")) {
                require(c, NamespaceType.IPC, "an ipc", at, out);
            } else if (name.startsWith("net.")) {
                if (hostNet == null) {
                    hostNet = hostNetwork(c, out);
                }
                if (hostNet) {
                    out.error(at, c.hasNamespace(NamespaceType.NETWORK)
                            ? "needs a network namespace of the container's own, but "
                                    + c.joinedNamespacePath(NamespaceType.NETWORK) + " is the host's"
                            : "needs a network namespace in linux.namespaces;"
                                    + " without one it would change the host's value");
                }
            } else if (name.equals("kernel.hostname")) {
                out.error(at, "conflicts with the hostname field; set the hostname there");
            } else if (name.equals("kernel.domainname")) {
                require(c, NamespaceType.UTS, "a uts", at, out);
            } else if (name.startsWith("user.")) {
                require(c, NamespaceType.USER, "a user", at, out);
            } else {
                out.error(at, "is not namespaced; setting it would change the host's value");
            }
        }
    }

    private static void require(Context c, NamespaceType type, String what, String at, Problems out) {
        if (!c.hasNamespace(type)) {
            out.error(at, "needs " + what + " namespace in linux.namespaces;"
                    + " without one it would change the host's value");
        }
    }

    /** sysctl(8) also takes / as the separator; then a dot belongs to a name (eth0.100). */
    static String dotted(String key) {
        int sep = indexOfAny(key);
        if (sep < 0 || key.charAt(sep) == '.') {
            return key;
        }
        StringBuilder b = new StringBuilder(key.length());
        for (char ch : key.toCharArray()) {
            b.append(ch == '/' ? '.' : ch == '.' ? '/' : ch);
        }
        return b.toString();
    }

    /** The key becomes a path under /proc/sys, so it must not climb or skip a level. */
    private static boolean wellFormed(String key) {
        int sep = indexOfAny(key);
        String separator = sep >= 0 && key.charAt(sep) == '/' ? "/" : "\\.";
        for (String part : key.split(separator, -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static int indexOfAny(String key) {
        for (int i = 0; i < key.length(); i++) {
            if (key.charAt(i) == '.' || key.charAt(i) == '/') {
                return i;
            }
        }
        return -1;
    }

    /*
     * "Host" means the runtime's own network namespace: none in the config, or a
     * joined path that is the same inode as /proc/self/ns/net (runc's isHostNetNS).
     */
    private static boolean hostNetwork(Context c, Problems out) {
        if (!c.hasNamespace(NamespaceType.NETWORK)) {
            return true;
        }
        String path = c.joinedNamespacePath(NamespaceType.NETWORK);
        if (path == null) {
            return false;
        }
        try {
            return sameFile(Path.of(path), Path.of("/proc/self/ns/net"));
        } catch (NoSuchFileException e) {
            out.error(netPath(c), Json.quote(path) + " does not exist; a joined namespace must exist");
        } catch (IOException | RuntimeException e) {
            out.error(netPath(c), Json.quote(path)
                    + " cannot be read to tell whether it is the host's network namespace: " + e.getMessage());
        }
        return false;
    }

    private static String netPath(Context c) {
        return Context.namespacePath(c.namespaceIndex(NamespaceType.NETWORK)) + ".path";
    }

    private static boolean sameFile(Path a, Path b) throws IOException {
        Map<String, Object> x = Files.readAttributes(a, "unix:dev,ino");
        Map<String, Object> y = Files.readAttributes(b, "unix:dev,ino");
        return Objects.equals(x.get("dev"), y.get("dev")) && Objects.equals(x.get("ino"), y.get("ino"));
    }
}
