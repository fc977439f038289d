package io.jsyd.oci.cli;

import io.jsyd.oci.OciException;

/**
 * One command of the command line: a function from the invocation to an exit
 * status. Output goes to the request's streams only; failures are thrown, and
 * {@link JsydOci} turns them into messages and exit statuses in one place.
 */
public interface Verb {
    int run(Invocation invocation) throws OciException;

    /** The exit status for {@code failure}; most commands take the common mapping. */
    default int statusOf(OciException failure) {
        return ExitCodes.of(failure);
    }
}
