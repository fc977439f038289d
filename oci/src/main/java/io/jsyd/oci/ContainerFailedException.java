package io.jsyd.oci;

import io.jsyd.runtime.KernelException;

/**
 * The kernel could not make or run the container. The kernel's message already
 * names the config field and the failing call; this only says which container.
 */
public final class ContainerFailedException extends OciException {
    public ContainerFailedException(String id, KernelException cause) {
        super("container " + id + ": " + cause.getMessage(), cause);
    }
}
