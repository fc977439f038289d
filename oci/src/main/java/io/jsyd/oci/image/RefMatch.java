package io.jsyd.oci.image;

import java.util.List;

/**
 * Whether an image name recorded in a source ("localhost/busybox:latest",
 * "docker.io/library/busybox:latest", a bare tag "latest" in an OCI layout)
 * answers a --ref. Besides equality, a ref may leave out the registry and
 * repository path ("busybox:latest" matches ".../busybox:latest") and the
 * tag (":latest" is implied).
 */
final class RefMatch {
    private RefMatch() {
    }

    static boolean matches(String recorded, String ref) {
        if (recorded.equals(ref) || recorded.endsWith("/" + ref)) {
            return true;
        }
        int slash = ref.lastIndexOf('/');
        boolean hasTag = ref.indexOf(':', slash + 1) >= 0 || ref.contains("@");
        if (!hasTag) {
            String tagged = ref + ":latest";
            return recorded.equals(tagged) || recorded.endsWith("/" + tagged);
        }
        return false;
    }

    static boolean matchesAny(List<String> recorded, String ref) {
        return recorded.stream().anyMatch(r -> matches(r, ref));
    }
}
