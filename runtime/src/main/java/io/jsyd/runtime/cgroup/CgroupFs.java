package io.jsyd.runtime.cgroup;

import io.jsyd.runtime.SyscallException;
import java.nio.file.Path;
import java.util.List;

/**
 * The few filesystem calls a cgroup manager makes, so that a temporary directory
 * can stand in for cgroupfs in tests. Failures are {@link SyscallException}s with
 * the kernel's errno (ENOENT for a file the kernel does not offer).
 */
public interface CgroupFs {
    String read(Path file);

    /** One write(2) of the whole value: cgroup files take one value per write. */
    void write(Path file, String value);

    boolean exists(Path path);

    /** True when this call made the directory, false when it was there. */
    boolean mkdir(Path dir);

    /** Removes an empty cgroup; a missing one is fine, a busy one fails with EBUSY. */
    void rmdir(Path dir);

    /** The child cgroups of a directory. */
    List<Path> subdirectories(Path dir);

    /**
     * Puts a cgroup v2 device program (eBPF instructions) on {@code dir}, in place of
     * the one there, if any.
     */
    void attachDeviceProgram(Path dir, byte[] instructions, String license);

    static CgroupFs system() {
        return new SystemCgroupFs();
    }
}
