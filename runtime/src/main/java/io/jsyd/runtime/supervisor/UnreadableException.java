package io.jsyd.runtime.supervisor;

/** A failure to read the caller's memory: the call is answered with {@link #errno}. */
final class UnreadableException extends Exception {
    final int errno;

    UnreadableException(int errno) {
        super(null, null, false, false);
        this.errno = errno;
    }
}
