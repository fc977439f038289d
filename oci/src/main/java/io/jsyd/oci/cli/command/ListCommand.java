package io.jsyd.oci.cli.command;

import io.jsyd.oci.OciException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "list", description = "list the containers under --root")
public final class ListCommand implements Verb {
    @Option(names = {"-f", "--format"}, paramLabel = "table|json", defaultValue = "table",
            description = "output format; default: ${DEFAULT-VALUE}")
    String format;

    @Option(names = {"-q", "--quiet"}, description = "print only the container ids")
    boolean quiet;

    @Override
    public int run(Invocation invocation) throws OciException {
        io.jsyd.oci.lifecycle.Query.list(invocation.request(), invocation.flags().root(), format, quiet);
        return 0;
    }
}
