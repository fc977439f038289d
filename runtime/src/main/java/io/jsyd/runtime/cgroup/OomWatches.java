package io.jsyd.runtime.cgroup;

import io.jsyd.runtime.CgroupException;
import io.jsyd.runtime.SyscallException;
import io.jsyd.runtime.linux.EventSources;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.KernelFiles;
import io.jsyd.runtime.linux.LinuxConstants;
import java.nio.file.Path;

/** OOM notification as each cgroup version offers it (runc's notify_linux.go). */
final class OomWatches {
    private OomWatches() {
    }

    /**
     * v1: an eventfd registered on memory.oom_control through cgroup.event_control.
     * The kernel also signals it when the cgroup is removed, so each wake-up checks
     * that the cgroup is still there.
     */
    static CgroupManager.OomWatch v1(CgroupFiles files, Path dir) {
        Fd event = EventSources.eventfd();
        Fd control = null;
        try {
            control = KernelFiles.openRead(dir.resolve("memory.oom_control").toString());
            files.write(dir, "cgroup.event_control", event.get() + " " + control.get(), "");
        } catch (RuntimeException e) {
            event.close();
            if (control != null) {
                control.close();
            }
            throw e;
        }
        Fd oomControl = control;
        return new CgroupManager.OomWatch() {
            @Override
            public boolean await(long timeoutMillis) {
                if (!event.isOpen() || !EventSources.awaitReadable(event, timeoutMillis)) {
                    return false;
                }
                EventSources.readPending(event);
                return files.fs().exists(dir.resolve("memory.oom_control"));
            }

            @Override
            public void close() {
                event.close();
                oomControl.close();
            }
        };
    }

    /** v2: inotify on memory.events, and a change of its "oom" count. */
    static CgroupManager.OomWatch v2(CgroupFiles files, Path dir) {
        Path events = dir.resolve("memory.events");
        if (!files.fs().exists(events)) {
            throw new CgroupException(dir + " has no memory.events: the memory controller is not enabled for it");
        }
        Fd watch = EventSources.inotify(events.toString(), LinuxConstants.IN_MODIFY);
        long[] seen = {files.keyValues(dir, "memory.events").getOrDefault("oom", 0L)};
        return new CgroupManager.OomWatch() {
            @Override
            public boolean await(long timeoutMillis) {
                long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
                while (watch.isOpen()) {
                    if (!files.fs().exists(events)) {
                        return false;
                    }
                    Long now = files.keyValues(dir, "memory.events").get("oom");
                    if (now != null && now > seen[0]) {
                        seen[0] = now;
                        return true;
                    }
                    long left = timeoutMillis < 0 ? -1 : Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
                    if (left == 0 && timeoutMillis >= 0) {
                        return false;
                    }
                    if (!EventSources.awaitReadable(watch, left)) {
                        return false;
                    }
                    try {
                        EventSources.readPending(watch);
                    } catch (SyscallException e) {
                        return false;
                    }
                    if (!files.fs().exists(events)) {
                        return false;
                    }
                }
                return false;
            }

            @Override
            public void close() {
                watch.close();
            }
        };
    }
}
