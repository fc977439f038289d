package io.jsyd.oci.cli.command;

import io.jsyd.oci.InvalidPolicyException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.OciIoException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import io.jsyd.runtime.policy.PolicyException;
import io.jsyd.runtime.policy.PolicyParser;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code policy check FILE}: parses a policy file (with its includes) as `run
 * --policy` and the host profiles are parsed; every problem is printed with its
 * file and line, and the exit status is 1 when there is one.
 */
@Command(name = "check", description = "validate a sandbox policy file; with --print, print it as the runtime reads it")
public final class PolicyCheckCommand implements Verb {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show help")
    boolean help;

    @Option(names = "--print", description = "print the policy in its canonical form")
    boolean print;

    @Parameters(index = "0", paramLabel = "<file>")
    String file;

    @Override
    public int run(Invocation invocation) throws OciException {
        Path path = invocation.resolve(file);
        if (!Files.isRegularFile(path)) {
            throw new OciIoException("read policy", path, new java.io.FileNotFoundException(path + ": no such file"));
        }
        try {
            var policy = new PolicyParser().addFile(path).build();
            if (print) {
                invocation.request().out().print(policy.render());
            }
            return 0;
        } catch (PolicyException e) {
            throw new InvalidPolicyException(e.problems());
        }
    }
}
