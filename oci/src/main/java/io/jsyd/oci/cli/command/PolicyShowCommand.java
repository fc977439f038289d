package io.jsyd.oci.cli.command;

import io.jsyd.oci.OciException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code policy show ID}: the policy a container was created with, as `create` recorded it. */
@Command(name = "show", description = "print the effective sandbox policy of a container")
public final class PolicyShowCommand implements Verb {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show help")
    boolean help;

    @Parameters(index = "0", paramLabel = "<container-id>")
    String id;

    @Override
    public int run(Invocation invocation) throws OciException {
        io.jsyd.oci.state.Existence.require(invocation.flags().root(), id);
        invocation.request().out().print(io.jsyd.oci.supervise.PolicyRecord.show(invocation.flags().root(), id));
        return 0;
    }
}
