package io.jsyd.oci;

/**
 * The request collides with what already exists: a file it would overwrite, a
 * container id already taken. Nothing was changed.
 */
public final class ConflictException extends OciException {
    public ConflictException(String message) {
        super(message);
    }
}
