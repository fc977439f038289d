package io.jsyd.oci.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Things a case needs on the host (processes holding namespaces to join, mounts to
 * bind from), all undone when the case ends.
 */
final class HostFixtures implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> mounts = new ArrayList<>();

    /**
     * A `sleep` in the namespaces that `unshare ARGS` makes; with {@code fork} it is
     * unshare's child (needed for pid and time namespaces). Returns its pid.
     */
    long holder(boolean fork, String... unshareArgs) {
        List<String> c = new ArrayList<>(List.of("unshare"));
        if (fork) {
            c.addAll(List.of("--fork", "--kill-child"));
        }
        c.addAll(List.of(unshareArgs));
        c.addAll(List.of("sleep", "600"));
        try {
            Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
            processes.add(p);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                long pid = fork ? child(p.pid()) : p.pid();
                if (pid > 0 && isSleep(pid)) {
                    return pid;
                }
                if (!p.isAlive()) {
                    throw new IllegalStateException(c + " failed: " + new String(p.getInputStream().readAllBytes()));
                }
                Thread.sleep(10);
            }
            throw new IllegalStateException(c + " did not start sleep in time");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static long child(long pid) {
        try {
            String children = Files.readString(Path.of("/proc/" + pid + "/task/" + pid + "/children")).strip();
            return children.isEmpty() ? -1 : Long.parseLong(children.split(" ")[0]);
        } catch (IOException e) {
            return -1;
        }
    }

    private static boolean isSleep(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).getFileName().toString().equals("sleep");
        } catch (IOException e) {
            return false;
        }
    }

    static String nsLink(long pid, String ns) {
        return nsLink(Path.of("/proc/" + pid + "/ns/" + ns));
    }

    static String nsLink(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a map of a holder's user namespace (as its parent can). */
    static void writeFile(String path, String content) {
        try {
            Files.writeString(Path.of(path), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** `mount ARGS...`, the last argument being the mount point; unmounted (recursively) on close. */
    void mount(String... args) {
        List<String> c = new ArrayList<>(List.of("mount"));
        c.addAll(List.of(args));
        OciRuntime.Result r = OciRuntime.exec(c);
        if (r.status() != 0) {
            throw new IllegalStateException(c + ": " + r.describe());
        }
        mounts.add(Path.of(args[args.length - 1]));
    }

    /** `mount --make-X PATH` on a mount made here. */
    void propagation(String kind, Path mountPoint) {
        OciRuntime.Result r = OciRuntime.exec(List.of("mount", "--make-" + kind, mountPoint.toString()));
        if (r.status() != 0) {
            throw new IllegalStateException(r.describe());
        }
    }

    @Override
    public void close() {
        for (int i = mounts.size() - 1; i >= 0; i--) {
            OciRuntime.exec(List.of("umount", "-R", "-l", mounts.get(i).toString()));
        }
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
