package io.jsyd.oci.cli.command;

import io.jsyd.oci.NotImplementedException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "create", description = "create a container from a bundle, stopped before its process runs (see start)")
public final class CreateCommand implements Verb {
    @Mixin
    CreateOptions options = new CreateOptions();

    @Parameters(index = "0", paramLabel = "<container-id>", description = "a name for the container, unique under --root")
    String id;

    @Override
    public int run(Invocation invocation) throws OciException {
        throw new NotImplementedException("create");
    }
}
