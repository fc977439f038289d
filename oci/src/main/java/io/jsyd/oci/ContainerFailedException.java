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

    /** A hook whose failure stops the container failed; its message names the kind, index and stderr. */
    public ContainerFailedException(String id, io.jsyd.hooks.HookFailedException cause) {
        super("container " + id + ": " + cause.getMessage(), cause);
    }
}
