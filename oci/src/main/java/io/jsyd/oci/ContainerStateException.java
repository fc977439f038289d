package io.jsyd.oci;

/**
 * The container named is not there, or not in a state the request can act on. The
 * messages are runc's: callers (podman, containerd's shim) look for words in them,
 * "does not exist" above all.
 */
public final class ContainerStateException extends OciException {
    public ContainerStateException(String message) {
        super(message);
    }

    public static ContainerStateException notExist(String id) {
        return new ContainerStateException("container " + id + " does not exist");
    }
}
