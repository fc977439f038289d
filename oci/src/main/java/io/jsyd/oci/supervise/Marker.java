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
 * A process `exec` started has a marker of its own ({@link #execName}) with the
 * container's cgroup: the daemon's death ends the container it was in.
 */
record Marker(int daemonPid, int initPid, long initStartTime, Map<String, String> cgroupDirs) {
    Marker {
        cgroupDirs = Map.copyOf(cgroupDirs);
    }

    /** The marker of a process `exec` started in the container ({@code pid} on the host). */
    static String execName(int pid) {
        return "supervised-exec-" + pid + ".json";
    }

    /** Whether {@code name} is a marker's, the container's or an exec'd process's. */
    static boolean isMarker(String name) {
        return name.equals(SupervisorPaths.MARKER) || name.startsWith("supervised-exec-") && name.endsWith(".json");
    }

    void write(Path stateDir, String name) throws IOException {
        Path tmp = stateDir.resolve("." + name + ".tmp");
        Files.writeString(tmp, SpecJson.compact(this));
        Files.move(tmp, stateDir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    static Marker read(Path file) throws IOException {
        try {
            return SpecJson.mapper().readValue(Files.readString(file), Marker.class);
        } catch (tools.jackson.core.JacksonException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
