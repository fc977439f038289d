package io.jsyd.oci.supervise;

import io.jsyd.oci.spec.SpecJson;
import io.jsyd.runtime.policy.Origin;
import io.jsyd.runtime.policy.PolicyWire;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What `create` tells the supervisor daemon about a container, as one JSON
 * message; the init's pidfd rides on it (SCM_RIGHTS) and the seccomp listener, if
 * the policy confines a category, follows in a second message. The policy comes as
 * parsed text with its origins ({@link PolicyWire}): the daemon never reads the
 * bundle or a profile, which may have changed since.
 *
 * @param stateDir      the container's directory under --root
 * @param initStartTime the init's start time (/proc/PID/stat), so a reused pid is never killed
 * @param cgroupDirs    the cgroup's directory per hierarchy, as the state record keeps them
 * @param listener      whether a second message carries the seccomp listener
 * @param trace         whether the daemon seizes the process (it waits at its TRACE sync point) before it
 *                      answers {@value SupervisorDaemon#SEIZED}
 * @param exec          whether {@code initPid} is a process `exec` started in the container rather than its
 *                      init: the daemon supervises it beside the container (which it may not host itself)
 */
public record Handoff(String id, String stateDir, int initPid, long initStartTime, String policyText,
                      List<Origin> ruleOrigins, Origin lockedAt, Map<String, String> cgroupDirs, boolean listener,
                      boolean trace, boolean exec) {
    public Handoff {
        ruleOrigins = List.copyOf(ruleOrigins);
        cgroupDirs = Map.copyOf(cgroupDirs);
    }

    /** The name the daemon keeps it under: the id, or the id and the exec'd process's pid. */
    String key() {
        return exec ? id + "/exec-" + initPid : id;
    }

    public PolicyWire.Encoded policy() {
        return new PolicyWire.Encoded(policyText, ruleOrigins, Optional.ofNullable(lockedAt));
    }

    byte[] toJson() {
        return SpecJson.compact(this).getBytes(StandardCharsets.UTF_8);
    }

    static Handoff fromJson(byte[] json) {
        return SpecJson.mapper().readValue(new String(json, StandardCharsets.UTF_8), Handoff.class);
    }
}
