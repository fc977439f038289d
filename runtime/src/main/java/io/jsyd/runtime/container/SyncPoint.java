package io.jsyd.runtime.container;

/** Where the init stub waits for the parent, and what the parent does there. */
public enum SyncPoint {
    /** The stub is in its new user namespace: write uid_map and gid_map. */
    USERNS_MAPS(1),
    /** The init exists (host pid known): oom_score_adj, cgroup placement. */
    INIT_CREATED(2),
    /** Setup is done, right before the init waits for `start` or execs. */
    READY(3),
    /** Namespaces, cgroup and mounts are made, pivot_root is next: prestart and createRuntime hooks. */
    BEFORE_PIVOT(4),
    /** Right before the tracer's filter: the parent has the init seized (PTRACE_SEIZE) before it acks. */
    TRACE(5);

    private final int id;

    SyncPoint(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    /** Its name in checkpoints: "init-created" for INIT_CREATED. */
    public String step() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    public static SyncPoint of(int id) {
        for (SyncPoint p : values()) {
            if (p.id == id) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown sync point " + id);
    }
}
