package io.jsyd.oci;

import java.util.List;

/**
 * Everything the front end reports to a user. The CLI maps each kind to an exit
 * status in one place ({@code io.jsyd.oci.cli.ExitCodes}); the message is what the
 * user reads, so it names the file, field or container it is about.
 */
public abstract sealed class OciException extends Exception
        permits InvalidSpecException, UsageException, NotImplementedException, OciIoException,
        ConflictException, ContainerFailedException, InvalidPolicyException, ImageException,
        ContainerStateException {

    protected OciException(String message) {
        super(message);
    }

    protected OciException(String message, Throwable cause) {
        super(message, cause);
    }

    /** One line per problem, in the order they were found. */
    public List<String> lines() {
        return List.of(getMessage());
    }
}
