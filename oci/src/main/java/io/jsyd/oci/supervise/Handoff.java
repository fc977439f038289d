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
 */
public record Handoff(String id, String stateDir, int initPid, long initStartTime, String policyText,
                      List<Origin> ruleOrigins, Origin lockedAt, Map<String, String> cgroupDirs, boolean listener) {
    public Handoff {
        ruleOrigins = List.copyOf(ruleOrigins);
        cgroupDirs = Map.copyOf(cgroupDirs);
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
