package io.jsyd.oci.cli.command;

import io.jsyd.oci.OciException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "kill", description = "send a signal (default SIGTERM) to the container's init process")
public final class KillCommand implements Verb {
    @Option(names = {"-a", "--all"}, description = "send it to every process of the container")
    boolean all;

    @Parameters(index = "0", paramLabel = "<container-id>")
    String id;

    @Parameters(index = "1", arity = "0..1", paramLabel = "<signal>", defaultValue = "SIGTERM",
            description = "name (KILL, SIGKILL) or number; default: ${DEFAULT-VALUE}")
    String signal;

    @Override
    public int run(Invocation invocation) throws OciException {
        io.jsyd.oci.state.Existence.require(invocation.flags().root(), id);
        io.jsyd.oci.lifecycle.Kill.kill(invocation.flags().root(), id, signal, all);
        return 0;
    }
}
