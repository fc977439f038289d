package io.jsyd.oci.cli.command;

import io.jsyd.oci.NotImplementedException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.UsageException;
import io.jsyd.oci.lifecycle.ForegroundRun;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", description = "create a container from a bundle and run it")
public final class RunCommand implements Verb {
    @Mixin
    CreateOptions options = new CreateOptions();

    @Option(names = {"-d", "--detach"}, description = "return once the container runs, instead of waiting for it")
    boolean detach;

    @Option(names = "--keep", description = "keep the container after it exits (do not delete it)")
    boolean keep;

    @Option(names = "--no-subreaper", description = "do not become a subreaper for the container's orphans")
    boolean noSubreaper;

    @Option(names = "--policy", paramLabel = "<file>",
            description = "a sandbox policy file, applied after the host's profiles and before the config's annotations")
    String policy;

    @Parameters(index = "0", paramLabel = "<container-id>", description = "a name for the container, unique under --root")
    String id;

    @Override
    public int run(Invocation invocation) throws OciException {
        if (options.preserveFds < 0) {
            throw new UsageException("--preserve-fds must not be negative: " + options.preserveFds);
        }
        if (detach) {
            if (keep) {
                throw new UsageException("--keep and --detach cannot be used together");
            }
            io.jsyd.oci.lifecycle.Create.create(invocation.request(), CreateCommand.options(invocation, options, id, policy));
            try {
                io.jsyd.oci.lifecycle.Start.start(invocation.flags().root(), id);
            } catch (OciException e) {
                try {
                    io.jsyd.oci.lifecycle.Delete.delete(invocation.flags().root(), id, true, invocation.request().err());
                } catch (OciException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            return 0;
        }
        if (options.consoleSocket != null) {
            throw new NotImplementedException("run --console-socket");
        }
        if (keep) {
            throw new NotImplementedException("run --keep");
        }
        if (options.preserveFds < 0) {
            throw new UsageException("--preserve-fds must not be negative: " + options.preserveFds);
        }
        return ForegroundRun.run(invocation.request(), new ForegroundRun.Options(
                invocation.flags().root(), id, invocation.bundle(options.bundle), options.noPivot,
                listenFds(invocation) + options.preserveFds,
                options.pidFile == null ? null : invocation.resolve(options.pidFile),
                !noSubreaper, invocation.flags().systemdCgroup(),
                invocation.flags().logFile().orElse(null),
                policy == null ? null : invocation.resolve(policy), options.noNewKeyring));
    }

    /** systemd socket activation: runc passes $LISTEN_FDS fds to the container. */
    static int listenFds(Invocation invocation) throws UsageException {
        String v = invocation.request().env().get("LISTEN_FDS");
        if (v == null || v.isEmpty()) {
            return 0;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("LISTEN_FDS is not a count of file descriptors: " + v);
        }
    }
}
