package io.jsyd.oci.cli.command;

import io.jsyd.oci.OciException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "pause", description = "suspend every process of the container (cgroup freezer)")
public final class PauseCommand implements Verb {
    @Parameters(index = "0", paramLabel = "<container-id>")
    String id;

    @Override
    public int run(Invocation invocation) throws OciException {
        io.jsyd.oci.state.Existence.require(invocation.flags().root(), id);
        io.jsyd.oci.lifecycle.Pause.pause(invocation.flags().root(), id, true);
        return 0;
    }
}
