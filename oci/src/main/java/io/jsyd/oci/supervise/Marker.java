package io.jsyd.oci.supervise;

import io.jsyd.oci.spec.SpecJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * The file that says "daemon D supervises this container, whose init is P and
 * whose cgroup is C" ({@value SupervisorPaths#MARKER} in its state directory).
 * Written before the daemon acknowledges the hand-off and removed when it stops
 * supervising; the watchdog of daemon D kills every container so marked when D dies.
 */
record Marker(int daemonPid, int initPid, long initStartTime, Map<String, String> cgroupDirs) {
    Marker {
        cgroupDirs = Map.copyOf(cgroupDirs);
    }

    void write(Path stateDir) throws IOException {
        Path tmp = stateDir.resolve("." + SupervisorPaths.MARKER + ".tmp");
        Files.writeString(tmp, SpecJson.compact(this));
        Files.move(tmp, stateDir.resolve(SupervisorPaths.MARKER), StandardCopyOption.ATOMIC_MOVE);
    }

    static Marker read(Path stateDir) throws IOException {
        try {
            return SpecJson.mapper().readValue(Files.readString(stateDir.resolve(SupervisorPaths.MARKER)), Marker.class);
        } catch (tools.jackson.core.JacksonException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
