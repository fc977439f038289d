package io.jsyd.hooks;

import io.jsyd.runtime.KernelException;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.KernelFiles;
import io.jsyd.runtime.linux.LinuxConstants;
import io.jsyd.runtime.linux.Memfd;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.linux.Spawn;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs hooks in the calling process's namespaces (the runtime namespace): each one
 * a child in a process group of its own, the state JSON on stdin, stdout and
 * stderr captured together in a memfd (runc reports both too). At the timeout the hook, its group and
 * everything still below it in the process tree are killed; a hook that fails gets the same, so nothing it
 * forked outlives the failure.
 * A hook that succeeds may leave daemons behind, as with runc.
 */
public final class HookRunner {
    /** How much of a hook's output goes into an error message. */
    static final int STDERR_LIMIT = 4096;
    private static final long MAX_POLL_NANOS = 20_000_000L;
    /** A bound on the walk of a hook's process tree (a fork bomb must not keep us walking). */
    private static final int MAX_TREE = 4096;

    private HookRunner() {
    }

    /**
     * Runs the hooks of one kind in order and stops at the first failure, which it
     * throws (whether or not the kind is fatal: the caller decides, see {@link #runWarning}).
     */
    public static void runAll(HookKind kind, List<Hook> hooks, byte[] state, Path dir) {
        for (int i = 0; i < hooks.size(); i++) {
            run(kind, i, hooks.get(i), state, dir);
        }
    }

    /**
     * For poststop, whose failure is a warning: runs every hook, returns the failures
     * instead of throwing (the spec: log a warning, the remaining hooks still run).
     */
    public static List<HookFailedException> runWarning(HookKind kind, List<Hook> hooks, byte[] state, Path dir) {
        List<HookFailedException> failures = new java.util.ArrayList<>();
        for (int i = 0; i < hooks.size(); i++) {
            try {
                run(kind, i, hooks.get(i), state, dir);
            } catch (HookFailedException e) {
                failures.add(e);
            }
        }
        return List.copyOf(failures);
    }

    /**
     * Runs one hook; throws HookFailedException unless it exits 0 in time.
     *
     * @param dir its working directory (runc runs hooks in the bundle), or null for ours
     */
    public static void run(HookKind kind, int index, Hook hook, byte[] state, Path dir) {
        try (Fd stdinSource = Memfd.sealed("jsyd-hook-state", state);
             // a fresh open of the memfd starts at offset 0 (the sealed one's offset is at the end)
             Fd stdin = KernelFiles.openRead("/proc/self/fd/" + stdinSource.get());
             Fd output = Memfd.create("jsyd-hook-output")) {
            int pid;
            try {
                pid = Spawn.spawn(hook.path(), hook.argv(), hook.env(), 0,
                        List.of(new Spawn.FdMove(stdin, 0), new Spawn.FdMove(output, 1), new Spawn.FdMove(output, 2)),
                        true, dir == null ? null : dir.toString());
            } catch (KernelException e) {
                throw new HookFailedException(kind, index, hook.path(), "could not be started: " + e.getMessage(), "", e);
            }
            Processes.WaitStatus status = awaitOrKill(pid, hook);
            if (status == null) {
                throw new HookFailedException(kind, index, hook.path(),
                        "timed out after " + seconds(hook) + " and was killed", head(output), null);
            }
            if (!status.exited() || status.code() != 0) {
                // whatever the failed hook forked goes with it: its group (the hook is reaped, so
                // its tree is gone; the group's id stays taken while anyone is in it)
                Processes.signalIfAlive(-pid, (int) LinuxConstants.SIGKILL);
                String what = status.exited() ? "exited with status " + status.code() : "was killed by signal " + status.code();
                throw new HookFailedException(kind, index, hook.path(), what, head(output), null);
            }
        }
    }

    /** Waits for the hook; at its timeout kills its group, reaps it and returns null. */
    private static Processes.WaitStatus awaitOrKill(int pid, Hook hook) {
        long deadline = hook.timeout() == null ? Long.MAX_VALUE : System.nanoTime() + hook.timeout().toNanos();
        long pause = 500_000L;
        try {
            while (true) {
                Processes.WaitStatus s = Processes.poll(pid);
                if (s != null) {
                    return s;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    killTree(pid);
                    Processes.waitFor(pid);
                    return null;
                }
                Thread.sleep(java.time.Duration.ofNanos(Math.min(Math.min(pause, left), MAX_POLL_NANOS)));
                pause = Math.min(pause * 2, MAX_POLL_NANOS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killTree(pid);
            Processes.waitFor(pid);
            throw new IllegalStateException("interrupted while hook " + hook.path() + " ran", e);
        }
    }

    /**
     * Kills the hook's process group and every process still below the hook in the
     * process tree: a child that left the group (setsid) goes too. The tree is read
     * whole before anything dies, because a dead parent's children move to a reaper and
     * no longer show below the hook; a second pass catches what forked meanwhile.
     */
    private static void killTree(int pid) {
        for (int pass = 0; pass < 2; pass++) {
            List<Integer> tree = descendants(pid);
            for (int p : tree) {
                Processes.signalIfAlive(p, (int) LinuxConstants.SIGKILL);
            }
            if (tree.isEmpty()) {
                break;
            }
        }
        Processes.signalIfAlive(-pid, (int) LinuxConstants.SIGKILL);
    }

    /** Every process below {@code pid}, from /proc/PID/task/TID/children. */
    static List<Integer> descendants(int pid) {
        List<Integer> out = new java.util.ArrayList<>();
        java.util.ArrayDeque<Integer> todo = new java.util.ArrayDeque<>(List.of(pid));
        while (!todo.isEmpty() && out.size() < MAX_TREE) {
            int p = todo.pop();
            try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", Integer.toString(p), "task"))) {
                for (Path task : tasks.toList()) {
                    for (String c : Files.readString(task.resolve("children")).trim().split("\\s+")) {
                        if (!c.isEmpty()) {
                            out.add(Integer.parseInt(c));
                            todo.push(Integer.parseInt(c));
                        }
                    }
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                // it ended meanwhile: nothing below it to find
            }
        }
        return out;
    }

    private static String seconds(Hook hook) {
        long ms = hook.timeout().toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    /** The first STDERR_LIMIT bytes the hook wrote. */
    private static String head(Fd stderr) {
        try (InputStream in = Files.newInputStream(Path.of("/proc/self/fd/" + stderr.get()))) {
            byte[] b = in.readNBytes(STDERR_LIMIT + 1);
            String s = new String(b, 0, Math.min(b.length, STDERR_LIMIT), StandardCharsets.UTF_8);
            return b.length > STDERR_LIMIT ? s + "... (truncated)" : s;
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }
}
