package io.jsyd.shim;

/** The shim cannot do what its command line asks: the message goes to stderr, the exit status is 1. */
public final class ShimException extends Exception {
    public ShimException(String message) {
        super(message);
    }

    public ShimException(String message, Throwable cause) {
        super(message, cause);
    }
}
