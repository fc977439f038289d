package io.jsyd.runtime.seccomp;

/**
 * The seccomp(2) filter flags a program may ask for. NEW_LISTENER is not among them:
 * the compiler adds it when a rule notifies. TSYNC has no meaning for the init,
 * which is single-threaded when it loads its filter.
 */
public enum FilterFlag {
    /** Log every action but ALLOW (as far as /proc/sys/kernel/seccomp/actions_logged lets it). */
    LOG(SeccompConstants.SECCOMP_FILTER_FLAG_LOG),
    /** Keep the speculative store bypass mitigation off for the container. */
    SPEC_ALLOW(SeccompConstants.SECCOMP_FILTER_FLAG_SPEC_ALLOW),
    /** A notified syscall can be interrupted only by a fatal signal once the listener received it. */
    WAIT_KILLABLE_RECV(SeccompConstants.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);

    private final long bit;

    FilterFlag(long bit) {
        this.bit = bit;
    }

    /** The SECCOMP_FILTER_FLAG_* bit. */
    public long bit() {
        return bit;
    }
}
