package io.jsyd.oci.cli;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The global flags of one request, parsed and with paths made absolute against
 * the request's working directory (as runc does with --root).
 */
public record GlobalFlags(Path root, Optional<Path> logFile, LogFormat logFormat, boolean debug,
                          boolean systemdCgroup, Rootless rootless, String criu) {
    public static final String DEFAULT_ROOT = "/run/jsyd-oci";

    public GlobalFlags {
        if (!root.isAbsolute()) {
            throw new IllegalArgumentException("state root must be absolute: " + root);
        }
        logFile.ifPresent(f -> {
            if (!f.isAbsolute()) {
                throw new IllegalArgumentException("log file must be absolute: " + f);
            }
        });
    }
}
