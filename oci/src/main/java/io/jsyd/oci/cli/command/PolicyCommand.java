package io.jsyd.oci.cli.command;

import io.jsyd.oci.UsageException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import picocli.CommandLine.Command;

/** Ours, not runc's: sandbox policies ({@code policy check FILE}, {@code policy show ID}). */
@Command(name = "policy", description = "check a sandbox policy file, or show a container's effective policy",
        subcommands = {PolicyCheckCommand.class, PolicyShowCommand.class})
public final class PolicyCommand implements Verb {
    @Override
    public int run(Invocation invocation) throws UsageException {
        throw new UsageException("policy: which command? (check, show)");
    }
}
