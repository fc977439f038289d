package io.jsyd.oci.cli.command;

import io.jsyd.oci.OciException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "state", description = "print the container's state as JSON")
public final class StateCommand implements Verb {
    @Parameters(index = "0", paramLabel = "<container-id>")
    String id;

    @Override
    public int run(Invocation invocation) throws OciException {
        io.jsyd.oci.state.Existence.require(invocation.flags().root(), id);
        io.jsyd.oci.lifecycle.Query.state(invocation.request(), invocation.flags().root(), id);
        return 0;
    }
}
