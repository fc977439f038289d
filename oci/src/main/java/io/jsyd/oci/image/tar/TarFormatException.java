package io.jsyd.oci.image.tar;

import java.io.IOException;

/** A tar stream that is corrupt, truncated or uses a feature this reader refuses. */
public final class TarFormatException extends IOException {
    public TarFormatException(String message) {
        super(message);
    }
}
