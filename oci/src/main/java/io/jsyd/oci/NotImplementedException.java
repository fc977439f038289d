package io.jsyd.oci;

/** A runc command whose flags are accepted but whose behaviour has not landed yet. */
public final class NotImplementedException extends OciException {
    public NotImplementedException(String command) {
        super(command + ": not implemented yet");
    }
}
