package io.jsyd.hooks;

/**
 * Renders the OCI state document a hook reads on stdin. The lifecycle knows the
 * OCI state; this module only asks for it by status and pid.
 */
@FunctionalInterface
public interface StateJson {
    /**
     * @param status one of the spec's statuses: "creating", "created", "running", "stopped"
     * @param pid    the init's host pid, or 0 when there is none (stopped)
     * @return the state as compact JSON, "pid" (when present) before "bundle"
     */
    byte[] render(String status, int pid);
}
