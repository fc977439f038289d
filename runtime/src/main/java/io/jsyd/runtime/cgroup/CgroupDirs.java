package io.jsyd.runtime.cgroup;

import io.jsyd.runtime.CgroupException;
import io.jsyd.runtime.SyscallException;
import io.jsyd.runtime.linux.Errno;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Making a cgroup path level by level, remembering what was made, and removing
 * it again (deepest first, waiting out the moment a killed cgroup stays busy).
 */
final class CgroupDirs {
    /** What a hierarchy needs done around each new level. */
    interface Levels {
        /** Before {@code parent} gets a child (v2: enable controllers for it). */
        default void beforeChild(Path parent) {
        }

        /** After this call made {@code dir} (v1 cpuset: copy cpus and mems down). */
        default void made(Path dir, Path parent) {
        }
    }

    private final CgroupFiles files;
    private final List<Path> made = new ArrayList<>();

    CgroupDirs(CgroupFiles files) {
        this.files = files;
    }

    /** Makes {@code dir} below the hierarchy's mount point, and the levels between them. */
    void make(Path mount, Path dir, Levels levels) {
        Path current = mount;
        for (Path part : mount.relativize(dir)) {
            levels.beforeChild(current);
            Path child = current.resolve(part.toString());
            boolean created;
            try {
                created = files.fs().mkdir(child);
            } catch (SyscallException e) {
                throw new CgroupException("create cgroup " + child + ": " + Errno.describe(e.errno()), e);
            }
            if (created) {
                made.add(child);
                levels.made(child, current);
            }
            current = child;
        }
    }

    /** Removes {@code dir} with any cgroups below it, then the parents {@link #make} made. */
    void remove(List<Path> leaves) {
        CgroupException failure = null;
        for (Path leaf : leaves) {
            try {
                removeTree(leaf);
            } catch (CgroupException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        for (int i = made.size() - 1; i >= 0; i--) {
            Path p = made.get(i);
            try {
                files.fs().rmdir(p);
            } catch (SyscallException e) {
                // a parent another container uses too stays
                if (!e.is(Errno.EBUSY) && !e.is(Errno.ENOTEMPTY) && failure == null) {
                    failure = new CgroupException("remove cgroup " + p + ": " + Errno.describe(e.errno()), e);
                }
            }
        }
        made.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private void removeTree(Path dir) {
        for (Path sub : files.fs().subdirectories(dir)) {
            removeTree(sub);
        }
        long delay = 1;
        for (int attempt = 0; ; attempt++) {
            try {
                files.fs().rmdir(dir);
                return;
            } catch (SyscallException e) {
                // the last processes of a killed cgroup leave it a moment after they die
                if (!e.is(Errno.EBUSY) || attempt == 10) {
                    throw new CgroupException("remove cgroup " + dir + ": " + Errno.describe(e.errno())
                            + (e.is(Errno.EBUSY) ? " (processes are still in it)" : ""), e);
                }
            }
            sleep(delay);
            delay = Math.min(delay * 2, 200);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CgroupException("interrupted while waiting for a cgroup");
        }
    }
}
