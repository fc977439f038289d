package io.jsyd.runtime.container;

import io.jsyd.runtime.linux.KernelFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The mounts of a container without a mount namespace of its own. Such a container
 * inherits the runtime's (config-linux.md#namespaces), so its rootfs bind and the
 * mounts of its config are made there, visible on the host, and would outlive it:
 * runtime.md#delete wants what create made removed. The plan ({@link InitPlanner})
 * stacks one recursive bind of the rootfs onto the rootfs and makes every other
 * mount below it; {@link #base} notes, before create, which mount that bind lands
 * on, and {@link #detach} takes off what was stacked above it since, every mount
 * below going with it.
 */
public final class RuntimeNsMounts {
    /** The {@link #base} of a rootfs that was no mount point. */
    public static final long NO_MOUNT = -1;

    private RuntimeNsMounts() {
    }

    /** The id of the topmost mount at {@code rootfs} now, {@link #NO_MOUNT} when it is no mount point. */
    public static long base(Path rootfs) {
        List<Long> stack = stack(mountinfo(), rootfs.toString());
        return stack.isEmpty() ? NO_MOUNT : stack.getLast();
    }

    /**
     * Detaches the mounts stacked at {@code rootfs} above {@code base}; returns how many.
     * When {@code base} is gone (its own mount point was detached, which took the
     * container's too) nothing is touched: what is there now is someone else's.
     */
    public static int detach(Path rootfs, long base) {
        String path = rootfs.toString();
        List<Long> stack = stack(mountinfo(), path);
        int from = base == NO_MOUNT ? 0 : stack.indexOf(base) + 1;
        if (from == 0 && base != NO_MOUNT) {
            return 0;
        }
        int n = stack.size() - from;
        for (int i = 0; i < n; i++) {
            KernelFiles.detachMount(path);
        }
        return n;
    }

    /** The ids of the mounts at {@code path}, bottom first (each stacked on the one before). */
    static List<Long> stack(List<String> mountinfo, String path) {
        List<long[]> here = new ArrayList<>();
        for (String line : mountinfo) {
            String[] f = line.split(" ");
            if (f.length > 4 && HostView.unescape(f[4]).equals(path)) {
                here.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])});
            }
        }
        Set<Long> ids = new HashSet<>();
        here.forEach(m -> ids.add(m[0]));
        List<Long> stack = new ArrayList<>();
        // the bottom one's parent is a mount elsewhere; each next one's parent is the one before
        long next = -1;
        for (long[] m : here) {
            if (!ids.contains(m[1])) {
                next = m[0];
            }
        }
        while (next != -1 && stack.size() < here.size()) {
            stack.add(next);
            long parent = next;
            next = -1;
            for (long[] m : here) {
                if (m[1] == parent) {
                    next = m[0];
                }
            }
        }
        return stack;
    }

    private static List<String> mountinfo() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            throw new UncheckedIOException("reading /proc/self/mountinfo", e);
        }
    }
}
