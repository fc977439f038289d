package io.jsyd.oci;

/**
 * An image that cannot become a bundle: a blob whose digest is not the one its
 * descriptor names, a reference or platform it does not hold, an archive entry
 * that would leave the root filesystem, a limit an archive exceeds. The message
 * names the blob, entry or option it is about.
 */
public final class ImageException extends OciException {
    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
