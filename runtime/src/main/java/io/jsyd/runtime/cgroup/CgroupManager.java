package io.jsyd.runtime.cgroup;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One container's cgroup, on whatever the host mounts (v1 hierarchies, the v2
 * hierarchy, or both). Made by {@link Cgroups#manager}, which refuses a config
 * the host cannot carry out before anything exists. Errors are
 * {@link io.jsyd.runtime.CgroupException}s naming the config field.
 */
public interface CgroupManager {
    /**
     * Makes the cgroup (and the parents it lacks) and sets its resources. On
     * failure what it made is removed again.
     */
    void create();

    /** Moves a process (the container init, before it runs anything of the user's) into the cgroup. */
    void join(int pid);

    /** Sets the fields that are set (non-null) in {@code resources}; the others keep their values. */
    void update(Resources resources);

    /** Stops every process of the cgroup (pause), and returns once they are stopped. */
    void freeze();

    void thaw();

    FreezerState freezerState();

    /** Every process in the cgroup and below it. */
    List<Integer> pids();

    Stats stats();

    /** How many processes the OOM killer killed in this cgroup so far. */
    long oomKillCount();

    /** Starts watching for OOM events; close the watch when done. */
    OomWatch watchOom();

    /** Signals every process in the cgroup (SIGKILL through cgroup.kill where the kernel has it). */
    void signalAll(int signal);

    /**
     * Kills what is left in the cgroup, removes it (with any cgroups the container
     * made below it) and the parents {@link #create} made. Safe to call twice.
     */
    void destroy();

    /** The cgroup's directory per hierarchy: controllers as /proc/self/cgroup lists them, "" for v2. */
    Map<String, Path> paths();

    enum FreezerState {
        THAWED, FROZEN,
        /** No freezer (a v1 host without the freezer hierarchy, or the cgroup is gone). */
        UNDEFINED
    }

    /** OOM events of one cgroup. */
    interface OomWatch extends AutoCloseable {
        /**
         * Waits for the next OOM event; true when one came, false on timeout or when
         * the cgroup went away. A negative timeout waits for ever.
         */
        boolean await(long timeoutMillis);

        @Override
        void close();
    }
}
