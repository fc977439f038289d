package io.jsyd.oci.state;

import io.jsyd.oci.ContainerStateException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cheap first check of every command on an id, kept apart from the store so
 * that asking after a missing container (callers do it all the time) loads no JSON
 * library and no native code.
 */
public final class Existence {
    private Existence() {
    }

    public static boolean exists(Path root, String id) {
        return Files.isDirectory(root.resolve(id));
    }

    public static void require(Path root, String id) throws ContainerStateException {
        if (!exists(root, id)) {
            throw ContainerStateException.notExist(id);
        }
    }
}
