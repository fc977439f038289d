package io.jsyd.oci.cli.command;

import io.jsyd.oci.OciException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Options end at the container id: what follows goes to ps(1), as with runc. */
@Command(name = "ps", description = "list the processes running inside a container")
public final class PsCommand implements Verb {
    @Option(names = {"-f", "--format"}, paramLabel = "table|json", defaultValue = "table",
            description = "output format; default: ${DEFAULT-VALUE}")
    String format;

    @Parameters(index = "0", paramLabel = "<container-id>")
    String id;

    @Parameters(index = "1..*", paramLabel = "<ps-option>", description = "options for ps(1) (table format)")
    List<String> psOptions = new ArrayList<>();

    @Override
    public int run(Invocation invocation) throws OciException {
        io.jsyd.oci.state.Existence.require(invocation.flags().root(), id);
        io.jsyd.oci.lifecycle.Query.ps(invocation.request(), invocation.flags().root(), id, format, psOptions);
        return 0;
    }
}
