package io.jsyd.oci.cli.command;

import io.jsyd.oci.UsageException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import picocli.CommandLine.Command;

/** Ours, not runc's: bundles made from images ({@code bundle create}). */
@Command(name = "bundle", description = "make runtime bundles from container images",
        subcommands = BundleCreateCommand.class)
public final class BundleCommand implements Verb {
    @Override
    public int run(Invocation invocation) throws UsageException {
        throw new UsageException("bundle: which command? (create)");
    }
}
