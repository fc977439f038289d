package io.jsyd.runtime;

import io.jsyd.runtime.linux.Errno;

/**
 * An op of the plan failed inside the init stub. {@code origin} is what the op was
 * built from (e.g. "mounts[3] (destination /data)"), so the message leads with the
 * config field: "mounts[3] (destination /data): mount /data: ENOENT (no such file or directory)".
 */
public final class InitStubException extends KernelException {
    private final int opIndex;
    private final int errno;
    private final String origin;

    public InitStubException(int opIndex, String origin, int errno, String text) {
        super((origin == null || origin.isEmpty() ? "container init" : origin) + ": " + text
                + (errno == 0 ? "" : ": " + Errno.describe(errno)));
        this.opIndex = opIndex;
        this.errno = errno;
        this.origin = origin;
    }

    public int opIndex() {
        return opIndex;
    }

    public int errno() {
        return errno;
    }

    public String origin() {
        return origin;
    }
}
