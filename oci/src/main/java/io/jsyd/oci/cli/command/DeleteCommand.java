package io.jsyd.oci.cli.command;

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
        if (!io.jsyd.oci.state.Existence.exists(invocation.flags().root(), id)) {
            // runc: with --force a container that is not there is no error
            if (force) {
                return 0;
            }
            throw io.jsyd.oci.ContainerStateException.notExist(id);
        }
        io.jsyd.oci.lifecycle.Delete.delete(invocation.flags().root(), id, force, invocation.request().err());
        return 0;
    }
}
