package io.jsyd.oci.lifecycle;

import io.jsyd.oci.UsageException;
import java.util.regex.Pattern;

/** runc's rule for container ids: they name a directory under --root. */
public final class ContainerId {
    private static final Pattern VALID = Pattern.compile("[\\w+.-]+");

    private ContainerId() {
    }

    public static String check(String id) throws UsageException {
        if (id == null || id.isEmpty()) {
            throw new UsageException("container id cannot be empty");
        }
        if (!VALID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            throw new UsageException("invalid container id format: " + id
                    + " (letters, digits, '_', '+', '-' and '.' only)");
        }
        return id;
    }
}
