package io.jsyd.oci.supervise;

import java.nio.file.Path;

/** What `state` shows of a container its supervisor ended. */
public final class StopReason {
    /** The annotation `state` adds, with the reason's message. */
    public static final String STATE_ANNOTATION = Ending.STATE_ANNOTATION;

    private StopReason() {
    }

    /** The recorded reason's message, or null when the supervisor did not end the container. */
    public static String of(Path stateDir) {
        return Ending.reason(stateDir);
    }
}
