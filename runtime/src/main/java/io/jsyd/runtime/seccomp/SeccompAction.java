package io.jsyd.runtime.seccomp;

/**
 * What the kernel does when a filter matches a syscall. ERRNO and TRACE carry 16
 * bits of data (the errno to return, the message for the tracer); the others none.
 */
public sealed interface SeccompAction {
    SeccompAction KILL_PROCESS = Basic.KILL_PROCESS;
    SeccompAction KILL_THREAD = Basic.KILL_THREAD;
    SeccompAction TRAP = Basic.TRAP;
    SeccompAction LOG = Basic.LOG;
    SeccompAction ALLOW = Basic.ALLOW;
    /** The syscall waits until the holder of the filter's listener fd answers it. */
    SeccompAction NOTIFY = Basic.NOTIFY;

    /** The largest value SECCOMP_RET_DATA can carry. */
    int MAX_DATA = 0xffff;

    /** The action's value in libseccomp's rule API (SCMP_ACT_*). */
    long libseccompValue();

    /** Short name for messages, like libseccomp's macro: "SCMP_ACT_ERRNO(38)". */
    String label();

    static SeccompAction errno(int errno) {
        return new Errno(errno);
    }

    static SeccompAction trace(int message) {
        return new Trace(message);
    }

    /** The actions without data. */
    enum Basic implements SeccompAction {
        KILL_PROCESS(SeccompConstants.SCMP_ACT_KILL_PROCESS),
        KILL_THREAD(SeccompConstants.SCMP_ACT_KILL_THREAD),
        TRAP(SeccompConstants.SCMP_ACT_TRAP),
        LOG(SeccompConstants.SCMP_ACT_LOG),
        ALLOW(SeccompConstants.SCMP_ACT_ALLOW),
        NOTIFY(SeccompConstants.SCMP_ACT_NOTIFY);

        private final long value;

        Basic(long value) {
            this.value = value;
        }

        @Override
        public long libseccompValue() {
            return value;
        }

        @Override
        public String label() {
            return "SCMP_ACT_" + name();
        }
    }

    /** The syscall is not run and fails with {@code errno}. */
    record Errno(int errno) implements SeccompAction {
        public Errno {
            checkData(errno, "errno");
        }

        @Override
        public long libseccompValue() {
            return SeccompConstants.SCMP_ACT_ERRNO_BASE | errno;
        }

        @Override
        public String label() {
            return "SCMP_ACT_ERRNO(" + errno + ")";
        }
    }

    /** A ptrace tracer gets PTRACE_EVENT_SECCOMP with {@code message}; without one the syscall fails with ENOSYS. */
    record Trace(int message) implements SeccompAction {
        public Trace {
            checkData(message, "trace message");
        }

        @Override
        public long libseccompValue() {
            return SeccompConstants.SCMP_ACT_TRACE_BASE | message;
        }

        @Override
        public String label() {
            return "SCMP_ACT_TRACE(" + message + ")";
        }
    }

    private static void checkData(int value, String what) {
        if (value < 0 || value > MAX_DATA) {
            throw new IllegalArgumentException(what + " " + value + " does not fit the 16 bits of SECCOMP_RET_DATA (0 to "
                    + MAX_DATA + ")");
        }
    }
}
