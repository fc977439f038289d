package io.jsyd.oci.supervise;

import io.jsyd.oci.spec.SpecJson;
import io.jsyd.runtime.cgroup.CgroupConfig;
import io.jsyd.runtime.cgroup.CgroupFs;
import io.jsyd.runtime.cgroup.CgroupHost;
import io.jsyd.runtime.cgroup.CgroupManager;
import io.jsyd.runtime.cgroup.CgroupPath;
import io.jsyd.runtime.cgroup.Cgroups;
import io.jsyd.runtime.cgroup.Resources;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.text.JsonText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.Paths;
import java.time.Clock;
import java.util.Map;

/**
 * How the supervisor ends a container, and how it says why. Every process of the
 * container is killed: through the cgroup (cgroup.kill, or freeze, SIGKILL each,
 * thaw) and the init itself, which in a container with its own pid namespace takes
 * everyone with it. The reason goes to {@value SupervisorPaths#STOPPED} (which
 * `state` shows as the annotation {@value #STATE_ANNOTATION}) and as one JSON line
 * to the sandbox log, which `events` streams.
 *
 * <p>Under create/start the container's exit status is its init's, which the
 * caller (conmon, containerd's shim) reaps: a container the supervisor ended dies
 * of SIGKILL, so callers that follow runc report 137 (128 + 9), not the 124 of a
 * foreground `run`. The reason file is where the difference is kept.
 */
final class Ending {
    /** The annotation `state` adds for a container its supervisor ended. */
    static final String STATE_ANNOTATION = "org.jsyd.stopped";

    private Ending() {
    }

    /** The container's cgroup from the saved directories, or null when it has none. */
    static CgroupManager cgroup(String id, Map<String, String> dirs) {
        if (dirs.isEmpty()) {
            return null;
        }
        Map<String, Path> saved = new java.util.LinkedHashMap<>();
        dirs.forEach((k, v) -> saved.put(k, Paths.get(v)));
        return Cgroups.existing(new CgroupConfig(new CgroupPath.Absolute("/" + id), Resources.NONE), saved,
                CgroupHost.system(), CgroupFs.system());
    }

    /**
     * Kills every process of the container. The init is signalled by pid only while
     * it still has the start time it had at create (a pid can be reused).
     */
    static void kill(String id, int initPid, long initStartTime, Map<String, String> cgroupDirs,
                     java.util.function.IntPredicate signalInit) {
        // the init first: one call, and with its own pid namespace the kernel kills everyone else
        RuntimeException first = null;
        try {
            Processes.StatLine s = Processes.stat(initPid);
            if (s != null && s.startTime() == initStartTime) {
                signalInit.test(9);
            }
        } catch (RuntimeException e) {
            first = e;
        }
        CgroupManager cgroup = cgroup(id, cgroupDirs);
        if (cgroup != null) {
            cgroup.signalAll(9);
        }
        if (first != null) {
            throw first;
        }
    }

    /** Records why: the reason file and one line in the sandbox log. Failures to write are the caller's to report. */
    static void record(Path stateDir, String id, String reason, String message, Clock clock) throws IOException {
        String time = clock.instant().toString();
        StringBuilder doc = new StringBuilder("{\"reason\":");
        JsonText.quote(doc, reason);
        doc.append(",\"message\":");
        JsonText.quote(doc, message);
        doc.append(",\"time\":");
        JsonText.quote(doc, time);
        doc.append('}');
        if (Files.isDirectory(stateDir)) {
            Files.writeString(stateDir.resolve(SupervisorPaths.STOPPED), doc + "\n");
        }
        StringBuilder line = new StringBuilder("{\"time\":");
        JsonText.quote(line, time);
        line.append(",\"id\":");
        JsonText.quote(line, id);
        line.append(",\"event\":\"stopped\",\"reason\":");
        JsonText.quote(line, reason);
        line.append(",\"message\":");
        JsonText.quote(line, message);
        line.append("}\n");
        if (Files.isDirectory(stateDir)) {
            Files.writeString(stateDir.resolve(SupervisorPaths.SANDBOX_LOG), line, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    /** The reason recorded for a container, or null: what `state` shows. */
    static String reason(Path stateDir) {
        try {
            var node = SpecJson.mapper().readTree(Files.readString(stateDir.resolve(SupervisorPaths.STOPPED)));
            return node.get("message").asString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
