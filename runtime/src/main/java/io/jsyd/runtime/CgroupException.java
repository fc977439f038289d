package io.jsyd.runtime;

/**
 * A cgroup that cannot be made, set, or removed as configured: a controller the
 * host lacks, a value the kernel refused (the cause then holds the errno), a
 * configuration one cgroup version cannot express.
 */
public final class CgroupException extends KernelException {
    public CgroupException(String message) {
        super(message);
    }

    public CgroupException(String message, Throwable cause) {
        super(message, cause);
    }
}
