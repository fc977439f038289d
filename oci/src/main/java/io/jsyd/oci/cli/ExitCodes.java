package io.jsyd.oci.cli;

import io.jsyd.oci.ConflictException;
import io.jsyd.oci.ContainerFailedException;
import io.jsyd.oci.ContainerStateException;
import io.jsyd.oci.InvalidPolicyException;
import io.jsyd.oci.ImageException;
import io.jsyd.oci.InvalidSpecException;
import io.jsyd.oci.NotImplementedException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.OciIoException;
import io.jsyd.oci.UsageException;

/** The one place that maps a failure to an exit status (usage 2, like picocli; else 1). */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    /**
     * runc's status for every failure of `exec` but a usage error, out of the
     * range a process's own exit status takes (0-255 less the signals' 128+n
     * that a caller sees as such): callers tell "exec failed" from "the process
     * exited 1".
     */
    public static final int EXEC_FAILED = 255;

    private ExitCodes() {
    }

    public static int of(OciException e) {
        return switch (e) {
            case UsageException u -> USAGE;
            case InvalidSpecException i -> FAILURE;
            case NotImplementedException n -> FAILURE;
            case OciIoException io -> FAILURE;
            case ConflictException c -> FAILURE;
            case ContainerFailedException c -> FAILURE;
            case InvalidPolicyException p -> FAILURE;
            case ImageException i -> FAILURE;
            case ContainerStateException s -> FAILURE;
        };
    }
}
