package io.jsyd.oci.image.unpack;

import java.io.IOException;

/** An entry that cannot be applied to the rootfs; the message names it. */
public final class UnpackException extends IOException {
    public UnpackException(String message) {
        super(message);
    }

    public UnpackException(String message, Throwable cause) {
        super(message, cause);
    }
}
