package io.jsyd.oci.validate;

import io.jsyd.oci.spec.model.Linux;
import io.jsyd.oci.spec.model.LinuxNamespace;
import io.jsyd.oci.spec.model.NamespaceType;
import io.jsyd.oci.spec.model.Spec;
import java.nio.file.Path;
import java.util.List;

/**
 * What a check may look at: the bundle directory (absolute), the config file the
 * problems are reported against, and the bound spec.
 */
record Context(Path bundleDir, Path configFile, Spec spec) {

    Linux linux() {
        return spec.getLinux();
    }

    List<LinuxNamespace> namespaces() {
        return linux() == null ? List.of() : Json.list(linux().getNamespaces());
    }

    /** Index in linux.namespaces of the first entry of this type, or -1. */
    int namespaceIndex(NamespaceType type) {
        List<LinuxNamespace> all = namespaces();
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).getType() == type) {
                return i;
            }
        }
        return -1;
    }

    /** The container gets a namespace of its own of this type, new or joined (runc's Contains). */
    boolean hasNamespace(NamespaceType type) {
        return namespaceIndex(type) >= 0;
    }

    /** The path of a namespace the container joins, or null when it creates one or has none. */
    String joinedNamespacePath(NamespaceType type) {
        int i = namespaceIndex(type);
        if (i < 0) {
            return null;
        }
        String path = namespaces().get(i).getPath();
        // Like runc, an empty path means "create a new one".
        return path == null || path.isEmpty() ? null : path;
    }

    boolean createsNamespace(NamespaceType type) {
        return hasNamespace(type) && joinedNamespacePath(type) == null;
    }

    static String namespacePath(int index) {
        return Json.index("$.linux.namespaces", index);
    }
}
