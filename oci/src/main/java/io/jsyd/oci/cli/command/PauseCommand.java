package io.jsyd.oci.cli.command;

import io.jsyd.oci.NotImplementedException;
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
        throw new NotImplementedException("pause");
    }
}
