package io.jsyd.oci.validate;

import io.jsyd.oci.spec.model.Root;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * root.path: required on Linux, absolute or relative to the bundle (runtime-spec
 * config.md "Root"; runc joins a relative path to the bundle too), and a
 * directory must exist there.
 */
final class RootCheck {
    private RootCheck() {
    }

    static void root(Context c, Problems out) {
        Root root = c.spec().getRoot();
        if (root == null) {
            out.error("$.root", "is missing: a Linux container needs a root filesystem");
            return;
        }
        String text = root.getPath();
        if (text == null) {
            return; // the schema stage reports a missing root.path
        }
        if (text.isEmpty()) {
            out.error("$.root.path", "is empty: it must name the root filesystem directory");
            return;
        }
        Path given;
        try {
            given = Path.of(text);
        } catch (InvalidPathException e) {
            out.error("$.root.path", Json.quote(text) + " is not a usable path: " + e.getReason());
            return;
        }
        Path resolved = given.isAbsolute() ? given.normalize() : c.bundleDir().resolve(given).normalize();
        String shown = given.isAbsolute() ? Json.quote(text)
                : Json.quote(text) + " (relative to the bundle: " + resolved + ")";
        if (!Files.exists(resolved)) {
            out.error("$.root.path", shown + " does not exist; the root filesystem must be an existing directory");
            return;
        }
        if (!Files.isDirectory(resolved)) {
            out.error("$.root.path", shown + " is not a directory; the root filesystem must be a directory");
            return;
        }
        symlink(c, given, shown, out);
    }

    /*
     * runc refuses a root whose path (after the bundle, which it enters first) goes
     * through a symlink. The directory is still usable, so jsyd-oci takes the real
     * path and only warns.
     */
    private static void symlink(Context c, Path given, String shown, Problems out) {
        try {
            Path lexical = given.isAbsolute() ? given.normalize()
                    : c.bundleDir().toRealPath().resolve(given).normalize();
            Path real = lexical.toRealPath();
            if (!real.equals(lexical)) {
                out.warning("$.root.path", shown + " goes through a symlink to " + real
                        + "; jsyd-oci uses " + real + ", runc refuses such a root");
            }
        } catch (IOException e) {
            out.error("$.root.path", shown + " cannot be resolved: " + e.getMessage());
        }
    }
}
