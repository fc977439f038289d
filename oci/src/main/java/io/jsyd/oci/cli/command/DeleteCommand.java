package io.jsyd.oci.cli.command;

import io.jsyd.oci.NotImplementedException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "delete", description = "delete a stopped container and everything it holds")
public final class DeleteCommand implements Verb {
    @Option(names = {"-f", "--force"}, description = "kill the container (SIGKILL) if it still runs, then delete it")
    boolean force;

    @Parameters(index = "0", paramLabel = "<container-id>")
    String id;

    @Override
    public int run(Invocation invocation) throws OciException {
        throw new NotImplementedException("delete");
    }
}
