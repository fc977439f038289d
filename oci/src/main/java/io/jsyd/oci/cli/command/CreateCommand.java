package io.jsyd.oci.cli.command;

import io.jsyd.oci.OciException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "create", description = "create a container from a bundle, stopped before its process runs (see start)")
public final class CreateCommand implements Verb {
    @Mixin
    CreateOptions options = new CreateOptions();

    @Option(names = "--policy", paramLabel = "<file>",
            description = "a sandbox policy file, applied after the host's profiles and before the config's annotations")
    String policy;

    @Parameters(index = "0", paramLabel = "<container-id>", description = "a name for the container, unique under --root")
    String id;

    @Override
    public int run(Invocation invocation) throws OciException {
        if (options.preserveFds < 0) {
            throw new io.jsyd.oci.UsageException("--preserve-fds must not be negative: " + options.preserveFds);
        }
        io.jsyd.oci.lifecycle.Create.create(invocation.request(), options(invocation, options, id, policy));
        return 0;
    }

    /** What create and run -d hand to the lifecycle. */
    static io.jsyd.oci.lifecycle.Create.Options options(Invocation invocation, CreateOptions options, String id,
                                                        String policy) throws io.jsyd.oci.UsageException {
        return new io.jsyd.oci.lifecycle.Create.Options(invocation.flags().root(), id,
                invocation.bundle(options.bundle), options.noPivot,
                RunCommand.listenFds(invocation) + options.preserveFds,
                options.pidFile == null ? null : invocation.resolve(options.pidFile),
                options.consoleSocket == null ? null : invocation.resolve(options.consoleSocket),
                invocation.flags().systemdCgroup(), policy == null ? null : invocation.resolve(policy),
                options.noNewKeyring);
    }
}
