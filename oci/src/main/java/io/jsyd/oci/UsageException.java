package io.jsyd.oci;

/** Wrong command-line usage: unknown flag, missing argument, bad value. Exit status 2. */
public final class UsageException extends OciException {
    public UsageException(String message) {
        super(message);
    }
}
