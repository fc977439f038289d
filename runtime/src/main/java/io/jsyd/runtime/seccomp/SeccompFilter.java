package io.jsyd.runtime.seccomp;

import java.util.Arrays;

/**
 * A compiled filter, ready for seccomp(SECCOMP_SET_MODE_FILTER): the classic BPF
 * program (struct sock_filter[], native byte order) and the flags to load it with.
 *
 * @param listener whether the flags ask for a listener fd (NEW_LISTENER) that must be
 *                 handed to whoever answers the notifications
 */
public record SeccompFilter(byte[] program, long flags, boolean listener) {
    public SeccompFilter {
        if (program.length == 0 || program.length % SeccompConstants.SIZEOF_SOCK_FILTER != 0) {
            throw new IllegalArgumentException("a BPF program of " + program.length + " bytes is not a whole number of"
                    + " instructions");
        }
        if (program.length / SeccompConstants.SIZEOF_SOCK_FILTER > SeccompConstants.BPF_MAXINSNS) {
            throw new IllegalArgumentException("a BPF program of " + program.length / SeccompConstants.SIZEOF_SOCK_FILTER
                    + " instructions is longer than the kernel takes (" + SeccompConstants.BPF_MAXINSNS + ")");
        }
        if (listener != ((flags & SeccompConstants.SECCOMP_FILTER_FLAG_NEW_LISTENER) != 0)) {
            throw new IllegalArgumentException("listener and SECCOMP_FILTER_FLAG_NEW_LISTENER disagree");
        }
        program = program.clone();
    }

    @Override
    public byte[] program() {
        return program.clone();
    }

    public int instructions() {
        return program.length / SeccompConstants.SIZEOF_SOCK_FILTER;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeccompFilter f && Arrays.equals(f.program, program) && f.flags == flags
                && f.listener == listener;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(program) * 31 + Long.hashCode(flags);
    }

    @Override
    public String toString() {
        return "SeccompFilter[" + instructions() + " instructions, flags=" + flags + ", listener=" + listener + "]";
    }
}
